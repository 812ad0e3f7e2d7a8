// Package e2e holds Buzón's browser tests: each test starts the real server
// on a loopback port, drives Chromium through the DevTools protocol
// (chromedp) along a user journey, runs the axe-core accessibility engine on
// every page it visits and saves a screenshot of each step.
//
// The tests run with `go test ./...`. They need:
//
//   - Chromium (Debian's chromium package), found on PATH as chromium,
//     chromium-browser or google-chrome, or named by BUZON_CHROMIUM. Without
//     it the tests skip, or fail when CI=true.
//   - axe-core, installed with `npm ci --prefix e2e` into e2e/node_modules.
//     Without it the accessibility check is skipped with a log line, or the
//     test fails when CI=true.
//
// Set BUZON_E2E_SCREENSHOTS to a directory to keep a PNG of every step
// (e2e/screenshots/ is ignored by git).
//
// A new journey is a test that calls StartServer and NewBrowser and then
// Visit, ClickLink, MustSee, Press, Focused and the other Browser helpers
// in harness_test.go; each page it reaches is checked for accessibility and
// for errors in the browser console without further code.
package e2e
