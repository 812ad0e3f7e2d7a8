// Package mail builds, renders and sends Buzón's email: the alerts that tell a
// citizen a notification is waiting, and the account emails (activation,
// password reset, invitations).
//
// Email is never sent from a request: callers queue a job (internal/jobs) that
// carries a Message, and the worker hands it to a Sender. A retry resends the
// same Message with the same Message-ID, so a crash in the middle of a send
// yields at most a duplicate that mail clients recognise, never a loss.
//
// Three pieces live here: Message and its validation (header injection is
// impossible by construction), the SMTP Sender with a small pool of reused
// connections, and Templates, the named emails in Spanish and English.
// Package mailtest provides an SMTP server for tests.
package mail
