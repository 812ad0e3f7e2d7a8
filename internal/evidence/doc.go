// Package evidence keeps the platform's tamper-evident record of what
// happened to every notification (DESIGN §3 flow 9, §4), and turns it into
// proof a third party can check without trusting the platform's database.
//
// Every lifecycle event is written by [Record] in the same transaction as
// the change it records, as one line-oriented text (the canonical encoding,
// see [Event.Encode] and docs/EVIDENCE.md). Recording is cheap and takes no
// global lock. An integrator ([Log.Integrate], run in a loop by [Log.Run] and
// synchronously before a constancia is issued) later appends the recorded
// events, one at a time across all processes, to a Merkle tree in the
// format of Go's checksum database (golang.org/x/mod/sumdb/tlog), stores the
// tree's hashes and signs a checkpoint (origin, size, root hash) as a signed
// note with the platform's Ed25519 key. An event that commits late simply
// gets a later leaf: the tree has no gaps.
//
// The "previous log state" each event carries in DESIGN §4 is the tree
// itself: a checkpoint of size N commits to the first N events in order, and
// a consistency proof shows that a later checkpoint extends it unchanged.
//
// A constancia de notificación ([Log.Constancia]) bundles a notification's
// events, their inclusion proofs, the checkpoint they are proven against and
// the keys, as a signed JSON twin, and as a PDF signed with the platform's
// X.509 certificate that carries the JSON as an attachment. [VerifyJSON] and
// [VerifyPDF] check them offline; `buzon verify` prints their reports.
package evidence
