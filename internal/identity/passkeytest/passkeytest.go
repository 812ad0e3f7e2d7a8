// Package passkeytest is a software WebAuthn authenticator for tests: it
// answers the options a relying party sends to navigator.credentials.create
// and .get with what a real platform authenticator would send back (packed
// as "none" attestation, an ES256 key, user presence and verification), so
// that passkey registration and sign-in can be tested without a browser.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator holds the credentials it created, like a phone holding
// passkeys. It is not safe for concurrent use.
type Authenticator struct {
	// Origin is the page's origin the browser reports, e.g. "http://localhost:8080".
	Origin string
	// Counter, when true, makes the signature counter grow with each use;
	// otherwise it stays 0, as with synced passkeys.
	Counter bool
	creds   []*credential
}

type credential struct {
	id    []byte
	rpID  string
	user  []byte
	key   *ecdsa.PrivateKey
	signs uint32
}

// New returns an authenticator that reports origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

var b64 = base64.RawURLEncoding

// Create answers creation options (the JSON a relying party sends, with or
// without the {"publicKey": …} wrapper) with a new credential, as JSON.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			ExcludeCredentials []struct {
				ID string `json:"id"`
			} `json:"excludeCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("creation options: %w", err)
	}
	pk := o.PublicKey
	for _, ex := range pk.ExcludeCredentials {
		for _, c := range a.creds {
			if b64.EncodeToString(c.id) == ex.ID {
				return nil, errors.New("passkeytest: a credential of this authenticator is excluded")
			}
		}
	}
	user, err := b64.DecodeString(pk.User.ID)
	if err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &credential{id: make([]byte, 32), rpID: pk.RP.ID, user: user, key: key}
	rand.Read(c.id)
	a.creds = append(a.creds, c)

	clientData, err := json.Marshal(map[string]any{"type": "webauthn.create", "challenge": pk.Challenge, "origin": a.Origin, "crossOrigin": false})
	if err != nil {
		return nil, err
	}
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pad32(key.X.Bytes()), -3: pad32(key.Y.Bytes())})
	if err != nil {
		return nil, err
	}
	auth := authData(c.rpID, 0x01|0x04|0x40, 0)
	auth = append(auth, make([]byte, 16)...) // AAGUID: none
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(c.id)))
	auth = append(auth, c.id...)
	auth = append(auth, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Get answers request options with an assertion by the first credential
// that fits (one in allowCredentials, or any for the relying party when the
// list is empty), as JSON.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o struct {
		PublicKey struct {
			Challenge        string `json:"challenge"`
			RPID             string `json:"rpId"`
			AllowCredentials []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("request options: %w", err)
	}
	pk := o.PublicKey
	var c *credential
	for _, cand := range a.creds {
		if cand.rpID != pk.RPID {
			continue
		}
		if len(pk.AllowCredentials) == 0 {
			c = cand
			break
		}
		for _, allowed := range pk.AllowCredentials {
			if allowed.ID == b64.EncodeToString(cand.id) {
				c = cand
			}
		}
		if c != nil {
			break
		}
	}
	if c == nil {
		return nil, errors.New("passkeytest: no credential for these options")
	}
	if a.Counter {
		c.signs++
	}
	clientData, err := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": pk.Challenge, "origin": a.Origin, "crossOrigin": false})
	if err != nil {
		return nil, err
	}
	auth := authData(c.rpID, 0x01|0x04, c.signs)
	cdHash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.user),
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Rewind sets every credential's signature counter back, as a cloned
// authenticator would appear.
func (a *Authenticator) Rewind() {
	for _, c := range a.creds {
		c.signs = 0
	}
}

func authData(rpID string, flags byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, counter)
}

func pad32(b []byte) []byte {
	if len(b) >= 32 {
		return b
	}
	return append(make([]byte, 32-len(b)), b...)
}
