// Package notification is the heart of Buzón: institutions deposit
// notifications in citizens' buzones, citizens read them, and the platform
// proves what happened (DESIGN §3 flows 5–8, §4).
//
// The rules live here, free of HTTP, so that the web portals and the
// interconnection API share them:
//
//   - [Service.Deposit] stores one submission for every recipient with an
//     active buzón — the notification, its submitted and deposited evidence
//     events and its alert job — inside the caller's transaction, so that many
//     submissions can share one commit. Recipients without a buzón are
//     reported back one by one and nothing is stored for them.
//   - A deposited notification never changes: the database refuses updates of
//     its content. A correction is a new notification that names the one it
//     rectifies.
//   - Bodies are sealed with the notification id as context; attachments are
//     sealed blobs shared by every notification of a submission.
//   - A citizen sees only his own notifications: another's id is answered
//     exactly like a missing one ([ErrNotFound]). Institution staff see their
//     institution's, and each look at personal data is written to the audit
//     log; the platform administrator sees figures, not bodies.
//   - Opening and each download are evidence events; so are the alert's
//     outcome, every reminder and the deadline's end.
//   - A recipients file may carry each recipient's own values:
//     [Submission.PerRecipient] fills the placeholders named after the
//     file's columns ("{{monto}}") and may set his reference; a recipient
//     whose row lacks a value the texts use is refused on his own.
//   - A recipients file longer than [InlineRows] is not read within the
//     request: [Service.StartUpload] keeps it sealed, a job checks it row
//     by row writing its progress ([Service.CheckUpload]), and once the
//     notifier confirms, a job deposits it in chunks of
//     [Limits.DepositChunk] recipients ([Service.DepositUpload]), each chunk
//     claimed and reported in the transaction of its deposit, so a job that
//     dies resumes without notifying anyone twice.
//   - Files stored while composing in the web form and never sent are
//     deleted a day later by an hourly job ([Service.CleanupComposeFiles]);
//     a deposit makes them the notifications' for good.
//   - Alerts and reminders are written in the language the citizen chose
//     (identity.Service.SetEmailLanguage), Spanish by default.
//
// Time comes from the Service's clock, never from time.Now, so that tests
// can walk through deadlines.
package notification
