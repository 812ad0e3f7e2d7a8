package esign

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"buzon/internal/esign/esigntest"
)

// sigFile builds a file around one signature dictionary written by dict,
// which gets the ByteRange text and the /Contents token to place; the byte
// range is computed to exclude exactly that token.
func sigFile(dict func(br, contents string) string, contents string, tail string) []byte {
	head := "%PDF-1.7\n1 0 obj\n"
	// Two passes: the first finds the offsets with a fixed-width range.
	br := "[0 0000000000 0000000000 0000000000]"
	body := head + dict(br, contents) + "\nendobj\n" + tail
	start := strings.Index(body, contents)
	end := start + len(contents)
	br = fmt.Sprintf("[0 %010d %010d %010d]", start, end, len(body)-end)
	return []byte(head + dict(br, contents) + "\nendobj\n" + tail)
}

func TestParseSignatures(t *testing.T) {
	type sig struct {
		SubFilter      string
		ByteRangeLen   int
		Contents       string // hex
		WellFormed     bool
		ContentsIsTok  bool
		Name, Location string
	}
	tests := []struct {
		name string
		pdf  []byte
		want []sig
	}{
		{
			name: "compact, no whitespace",
			pdf: sigFile(func(br, c string) string {
				return "<</Type/Sig/SubFilter/adbe.pkcs7.detached/ByteRange" + br + "/Contents" + c + ">>"
			}, "<3082ABCD0000>", "trailer\n%%EOF\n"),
			want: []sig{{"adbe.pkcs7.detached", 4, "3082abcd0000", true, true, "", ""}},
		},
		{
			name: "contents first, comments, newlines, hex with whitespace and an odd digit",
			pdf: sigFile(func(br, c string) string {
				return "<<\r\n/Contents\n" + c + " % a comment /ByteRange [1 2 3 4]\n/ByteRange\t" + strings.ReplaceAll(br, " ", "\n  ") + "\n/SubFilter /ETSI.CAdES.detached>>"
			}, "<30 82\nab c>", ""),
			want: []sig{{"ETSI.CAdES.detached", 4, "3082abc0", true, true, "", ""}},
		},
		{
			name: "nested dictionaries, strings with delimiters, escaped names",
			pdf: sigFile(func(br, c string) string {
				return "<< /Prop_Build << /Filter << /Name /PDFSign >> >> /Name (J\\(o\\)se << >> \\\\) /Location <5175697 46F> " +
					"/SubFilter /adbe#2Epkcs7#2Edetached /Reference [ << /Type /SigRef >> ] /M (D:20260302150405Z) /V 2 0 R /ByteRange " + br + " /Contents " + c + " >>"
			}, "<00>", ""),
			want: []sig{{"adbe.pkcs7.detached", 4, "00", true, true, "J(o)se << >> \\", "Quito"}},
		},
		{
			name: "a range not starting at zero",
			pdf: sigFile(func(br, c string) string {
				return "<< /ByteRange " + strings.Replace(br, "[0 ", "[1 ", 1) + " /Contents " + c + " >>"
			}, "<00>", ""),
			want: []sig{{"", 4, "00", false, true, "", ""}},
		},
		{
			name: "too few integers",
			pdf:  []byte("%PDF-1.7\n<< /ByteRange [0 10 20] /Contents <00> >>"),
			want: []sig{{"", 3, "00", false, true, "", ""}},
		},
		{
			name: "a longer name is not /ByteRange; an unterminated dictionary is skipped",
			pdf:  []byte("%PDF-1.7\n<< /ByteRangeX [0 1 2 3] >> << /ByteRange [0 1 2 3] /Contents <00"),
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []sig
			for _, s := range parseSignatures(tc.pdf) {
				isTok := s.ContentsStart >= 0 && tc.pdf[s.ContentsStart] == '<' && tc.pdf[s.ContentsEnd-1] == '>'
				got = append(got, sig{s.SubFilter, len(s.ByteRange), hex.EncodeToString(s.Contents), s.wellFormed(int64(len(tc.pdf))), isTok, s.Name, s.Location})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("signatures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyMalformedByteRange(t *testing.T) {
	// A range that skips more than /Contents hides bytes from the signature.
	pdf := sigFile(func(br, c string) string {
		return "<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange " + br + " /Contents " + c + " >>"
	}, "<3000>", "")
	i := bytes.Index(pdf, []byte("[0 "))
	var a, b, c, d int64
	fmt.Sscanf(string(pdf[i:]), "[%d %d %d %d]", &a, &b, &c, &d)
	copy(pdf[i:], fmt.Sprintf("[0 %010d %010d %010d]", b-5, c, d))
	v := &Verifier{Now: func() time.Time { return time.Unix(0, 0) }}
	_, err := v.Verify(context.Background(), pdf, Expected{})
	if !errors.Is(err, ErrMalformedSignature) {
		t.Fatalf("Verify: %v, want ErrMalformedSignature", err)
	}
	// Only a document time-stamp: nobody signed.
	ts := sigFile(func(br, c string) string {
		return "<< /Type /DocTimeStamp /SubFilter /ETSI.RFC3161 /ByteRange " + br + " /Contents " + c + " >>"
	}, "<3000>", "")
	if _, err := v.Verify(context.Background(), ts, Expected{}); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Verify: %v, want ErrUnsigned", err)
	}
	// A CMS that is not one, and SHA-1 forms.
	for _, tc := range []struct {
		subFilter, contents string
		want                *Error
	}{
		{"adbe.pkcs7.detached", "<3003020100>", ErrSignatureInvalid},
		{"adbe.pkcs7.sha1", "<3000>", ErrUnsupportedAlgorithm},
	} {
		pdf := sigFile(func(br, c string) string {
			return "<< /SubFilter /" + tc.subFilter + " /ByteRange " + br + " /Contents " + c + " >>"
		}, tc.contents, "")
		want := Expected{IssuedSHA256: sha256.Sum256(pdf[:10]), IssuedSize: 10}
		if _, err := v.Verify(context.Background(), pdf, want); !errors.Is(err, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.subFilter, tc.contents, err, tc.want)
		}
	}
}

func TestMatchIssuedForms(t *testing.T) {
	const code = "ABCDEFGH12"
	marker := []byte(RegistrationMarker + code)
	var flate bytes.Buffer
	zw := zlib.NewWriter(&flate)
	zw.Write([]byte("BT (" + string(marker) + ") Tj ET"))
	zw.Close()
	utf16hex := "<FEFF" + strings.ToUpper(hex.EncodeToString(utf16BE(marker))) + ">"
	tests := []struct {
		name   string
		signed string
		code   string
		want   bool
	}{
		{"literal in Info", "<< /Keywords (" + string(marker) + ") >>", code, true},
		{"UTF-16 hex string", "<< /Keywords " + utf16hex + " >>", code, true},
		{"hex string", "<< /Keywords <" + hex.EncodeToString(marker) + "> >>", code, true},
		{"Flate stream", "<< /Length 9 /Filter /FlateDecode >>\nstream\n" + flate.String() + "\nendstream", code, true},
		{"a longer code", "(" + string(marker) + "X)", code, false},
		{"another code", "(" + RegistrationMarker + "ZZZZZZZZ12)", code, false},
		{"too short a code never matches by text", "(" + RegistrationMarker + "ABC)", "ABC", false},
		{"code with odd characters", "(" + RegistrationMarker + "AB CD EF GH)", "AB CD EF GH", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf := []byte("%PDF-1.7\n" + tc.signed)
			_, ok := matchIssued(pdf, int64(len(pdf)), [][]byte{pdf}, Expected{Code: tc.code, IssuedSize: 3})
			if ok != tc.want {
				t.Errorf("matchIssued = %v, want %v", ok, tc.want)
			}
		})
	}
}

func TestBERToDER(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"DER unchanged", "3003020105", "3003020105"},
		{"indefinite sequence", "3080020105" + "0000", "3003020105"},
		{"non-minimal length", "308103020105", "3003020105"},
		{"constructed octet string", "2480" + "0402abcd" + "0401ef" + "0000", "0403abcdef"},
		{"padding is rest", "3003020105" + "000000", "3003020105"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := hex.DecodeString(tc.in)
			out, _, err := berToDER(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(out); got != tc.want {
				t.Errorf("berToDER(%s) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "30", "3080", "0280", "3085ffffffffff", "30050201"} {
		in, _ := hex.DecodeString(bad)
		if _, _, err := berToDER(in); err == nil {
			t.Errorf("berToDER(%s) accepted", bad)
		}
	}
}

// seedPDFs are real signed files for the fuzzers' corpora, kept small: the
// fuzzer minimises every new input, which is slow on large ones.
func seedPDFs(t testing.TB) [][]byte {
	now := time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)
	ca := esigntest.NewCA(t, "EC Fuzz", now)
	s := ca.Issue(t, esigntest.SignerOptions{Profile: esigntest.ProfileIDCEC, Cedula: "1714307103"})
	doc := esigntest.NewPDF(esigntest.Document{Title: "t", Keywords: RegistrationMarker + "ABCDEFGH12", Lines: []string{"hola"}})
	return [][]byte{
		esigntest.SignPDFSign(t, doc, s, esigntest.PDFSignOptions{}),
		esigntest.SignIncremental(t, doc, s, esigntest.IncrementalOptions{ContentsFirst: true, Hash: crypto.SHA384, BER: true, SigningTime: now, OmitChain: true, Placeholder: 1200}),
	}
}

func FuzzParseSignatures(f *testing.F) {
	for _, p := range seedPDFs(f) {
		f.Add(p)
	}
	f.Add([]byte("%PDF-1.7\n<< /ByteRange [0 1 2 3] /Contents <00> >>"))
	f.Add([]byte("<<<</ByteRange[0 1 2 3]/Contents<0 0>>>>>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, s := range parseSignatures(data) {
			if s.wellFormed(int64(len(data))) {
				if data[s.ContentsStart] != '<' || data[s.ContentsEnd-1] != '>' {
					t.Fatalf("well formed range %v does not frame a hex string", s.ByteRange)
				}
			}
			if c, err := parseCMS(s.Contents); err == nil {
				c.verify(make([]byte, c.hash.Size()))
				if tok := attr(c.unsigned, oidAttrSignatureTimeStamp); tok != nil {
					parseTimestamp(tok.FullBytes, c.signature)
				}
			}
		}
		matchIssued(data, int64(len(data)), [][]byte{data}, Expected{Code: "ABCDEFGH12", IssuedSize: 4})
	})
}

func FuzzBERToDER(f *testing.F) {
	for _, p := range seedPDFs(f) {
		for _, s := range parseSignatures(p) {
			_, rest, err := berToDER(s.Contents)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(s.Contents[:len(s.Contents)-len(rest)]) // without the padding
		}
	}
	f.Add([]byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _, err := berToDER(data)
		if err != nil {
			return
		}
		again, rest, err := berToDER(out)
		if err != nil || len(rest) != 0 || !bytes.Equal(again, out) {
			t.Fatalf("berToDER is not idempotent on % x: % x, rest % x, %v", out, again, rest, err)
		}
	})
}
