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
//
// Time comes from the Service's clock, never from time.Now, so that tests
// can walk through deadlines.
package notification
