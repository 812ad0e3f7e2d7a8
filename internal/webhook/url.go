package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

const maxURL = 2000

// CheckURL validates an endpoint URL as typed: an absolute https:// URL
// without credentials or fragment, whose host is not a loopback, private or
// link-local address or a local name. allowPrivate (development and tests)
// also admits http:// and such hosts. It returns the URL normalised.
func CheckURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURL || strings.ContainsFunc(raw, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return "", ErrURLInvalid
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return "", ErrURLInvalid
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate {
			return "", ErrURLInvalid
		}
	default:
		return "", ErrURLInvalid
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", ErrURLInvalid
	}
	if !allowPrivate {
		if addr, err := netip.ParseAddr(host); err == nil {
			if !PublicAddr(addr) {
				return "", ErrURLPrivate
			}
		} else if host == "localhost" || !strings.Contains(host, ".") ||
			hasAnySuffix(host, ".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain") {
			return "", ErrURLPrivate
		}
	}
	return u.String(), nil
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// nonPublic lists special-purpose ranges (RFC 6890 and later) beyond what
// netip's predicates cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private ranges
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("100::/64"),
}

// PublicAddr reports whether a is an address on the public Internet.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// errPrivateDial is returned when a name resolved to a non-public address.
var errPrivateDial = errors.New("webhook: the endpoint resolved to a private or local address")

// NewHTTPClient returns the client deliveries use: a short timeout, no
// proxy from the environment, no redirects (a 3xx is a failure: following
// it could lead inside the network), and, unless allowPrivate, a dialer
// that refuses non-public addresses after DNS resolution.
func NewHTTPClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("webhook: dial %s: %w", address, err)
			}
			if !PublicAddr(ap.Addr()) {
				return errPrivateDial
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           func(ctx context.Context, n, a string) (net.Conn, error) { return d.DialContext(ctx, n, a) },
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
