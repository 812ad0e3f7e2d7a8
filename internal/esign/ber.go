package esign

import "errors"

var errBER = errors.New("malformed BER")

// maxBERDepth bounds recursion on hostile input.
const maxBERDepth = 48

// berToDER rewrites one BER element at the start of b as DER as far as
// encoding/asn1 needs it: indefinite and non-minimal lengths become minimal
// definite ones, and constructed OCTET STRINGs and character strings become
// primitive. Some signers (Windows CryptoAPI, older Acrobat) emit BER; DER
// input is returned unchanged. rest is what follows the element, such as the
// zero padding of a PDF /Contents.
func berToDER(b []byte) (der, rest []byte, err error) {
	return berElement(b, 0)
}

func berElement(b []byte, depth int) (out, rest []byte, err error) {
	if depth > maxBERDepth {
		return nil, nil, errBER
	}
	if len(b) < 2 {
		return nil, nil, errBER
	}
	i := 1
	if b[0]&0x1f == 0x1f {
		for {
			if i >= len(b) || i > 5 {
				return nil, nil, errBER
			}
			i++
			if b[i-1]&0x80 == 0 {
				break
			}
		}
	}
	ident := b[:i]
	constructed := b[0]&0x20 != 0
	if i >= len(b) {
		return nil, nil, errBER
	}
	l0 := b[i]
	i++
	indefinite := false
	var length int
	switch {
	case l0 < 0x80:
		length = int(l0)
	case l0 == 0x80:
		if !constructed {
			return nil, nil, errBER
		}
		indefinite = true
	default:
		n := int(l0 & 0x7f)
		if n > 4 || i+n > len(b) {
			return nil, nil, errBER
		}
		for _, c := range b[i : i+n] {
			length = length<<8 | int(c)
		}
		i += n
		if length < 0 {
			return nil, nil, errBER
		}
	}
	body := b[i:]
	var content []byte
	switch {
	case !constructed:
		if length > len(body) {
			return nil, nil, errBER
		}
		content, rest = body[:length], body[length:]
	case indefinite:
		for {
			if len(body) >= 2 && body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
			child, r, err := berElement(body, depth+1)
			if err != nil {
				return nil, nil, err
			}
			content = append(content, child...)
			body = r
		}
	default:
		if length > len(body) {
			return nil, nil, errBER
		}
		inner := body[:length]
		rest = body[length:]
		for len(inner) > 0 {
			child, r, err := berElement(inner, depth+1)
			if err != nil {
				return nil, nil, err
			}
			content = append(content, child...)
			inner = r
		}
	}
	if constructed && len(ident) == 1 && ident[0]&0xc0 == 0 && isStringTag(ident[0]&0x1f) {
		// DER forbids constructed strings: concatenate the segments.
		var flat []byte
		for len(content) > 0 {
			_, c, r, err := derHeader(content)
			if err != nil {
				return nil, nil, err
			}
			flat = append(flat, c...)
			content = r
		}
		content = flat
		ident = []byte{ident[0] &^ 0x20}
	}
	out = append(out, ident...)
	out = appendLength(out, len(content))
	out = append(out, content...)
	return out, rest, nil
}

// isStringTag reports the universal string types DER encodes primitively
// (BIT STRING is left alone: its segments carry unused-bit counts).
func isStringTag(t byte) bool {
	switch t {
	case 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// derHeader splits one definite-length element into its tag byte, content
// and the bytes after it.
func derHeader(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, nil, nil, errBER
	}
	tag = b[0]
	i := 1
	l0 := b[i]
	i++
	var length int
	switch {
	case l0 < 0x80:
		length = int(l0)
	case l0 == 0x80:
		return 0, nil, nil, errBER
	default:
		n := int(l0 & 0x7f)
		if n > 4 || i+n > len(b) {
			return 0, nil, nil, errBER
		}
		for _, c := range b[i : i+n] {
			length = length<<8 | int(c)
		}
		i += n
	}
	if length < 0 || length > len(b)-i {
		return 0, nil, nil, errBER
	}
	return tag, b[i : i+length], b[i+length:], nil
}

func appendLength(out []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(out, byte(n))
	case n < 0x100:
		return append(out, 0x81, byte(n))
	case n < 0x10000:
		return append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		return append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}
