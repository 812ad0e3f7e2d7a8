// Package institution holds the public bodies that send through Buzón and
// their life with MINTEL, the platform's administrator:
//
//   - the activation request (Submit), filed on a public form by an
//     institution's highest authority or delegate with the signed request
//     letter and the delegation document (PDFs, checked by content, kept
//     encrypted in the blob store); a RUC that is not a public body's
//     (third digit other than 6) is accepted and flagged for MINTEL;
//   - the administrator change of the seed's service desk (SubmitAdminChange);
//   - MINTEL's queue (Requests, Request, OpenDocument) and decision (Decide),
//     which creates the institution and appoints its Administrador
//     Institucional, or moves the role from the old holder to the new one,
//     ending the old one's sessions, in one transaction;
//   - MINTEL's management of each institution: state (Suspend, Reactivate),
//     modality (SetModality), daily quota (SetQuota), administrator history;
//   - the administrator's console: the public profile (UpdateProfile,
//     SetLogo), the notifiers (InviteNotifier, DeactivateNotifier, Staff) and
//     the institution's activity (Activity).
//
// Every method that takes an *identity.Principal checks the role and the
// institution itself: an administrator of one institution gets ErrForbidden
// for another's; MINTEL staff are not notifiers, so they cannot send.
//
// # For the notifications feature
//
// What sending needs from here:
//
//   - Institution: ID, Name, Acronym, RUC, Modality, State, DailyQuota and
//     Profile (address, phone, email, website, office hours, LogoPath) —
//     what a citizen sees about the sender. Public(ctx, id) returns it to
//     anyone; LogoPath is served by the web layer at
//     /instituciones/{id}/logo.
//   - Sender(ctx, principal, institutionID): the institution the signed-in
//     notifier sends for, or ErrNotNotifier (not its notifier: MINTEL,
//     citizens, another institution's staff) or ErrSuspended. The notifier's
//     institutions come from his roles: NotifierInstitutions(principal)
//     (usually one id).
//   - MaySend(ctx, institutionID), or MaySendTx inside the sending
//     transaction: nil when active, ErrSuspended when MINTEL suspended it.
//     One indexed column read; call it for every send, web and API, so a
//     suspension stops sending at once. Counting against DailyQuota is the
//     notifications feature's.
//   - Interconnection-modality institutions (ModalityInterconnection) get
//     API credentials and webhooks, managed by their administrator; the
//     console leaves a section for them (see internal/web).
//
// Refusals are *Error values with a stable code, a Spanish sentence, an
// English twin and the form field they belong next to; a form's refusals
// come together as *Invalid. Bad input stores nothing.
package institution
