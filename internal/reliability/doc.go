// Package reliability holds Buzón's fault-injection tests: the assembled
// server (in this process, or the real binary as a child process) is hit with
// the faults a deployment meets — a SIGKILL mid-request, an SMTP server that
// goes away, a database that becomes unreachable, an attachment store that
// cannot be written — and the tests check that nothing acknowledged is lost
// and nothing unacknowledged is half-written. Everything runs on loopback and
// is bounded in time; docs/RELIABILITY.md reports the figures they print.
package reliability
