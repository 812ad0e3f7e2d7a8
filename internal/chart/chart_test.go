package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestSVGIsWellFormedAndEscaped(t *testing.T) {
	tests := []struct {
		name string
		c    Chart
	}{
		{"empty", Chart{Title: "Nada"}},
		{"counts", Chart{Title: "Depositadas <script>", Labels: []string{"1 dic", "2 dic"},
			Series: []Series{{Name: "Depositadas", Values: []float64{3, 7}}, {Name: "Fallidas & rebotadas", Values: []float64{0, 1}}}}},
		{"percent", Chart{Title: "Abiertas", Labels: []string{"a"}, Percent: true, Series: []Series{{Name: "1 día", Values: []float64{0.5}}}}},
		{"zeros", Chart{Title: "Ceros", Labels: []string{"a", "b"}, Series: []Series{{Name: "x", Values: []float64{0, 0}}}}},
	}
	for _, tt := range tests {
		svg := string(tt.c.SVG())
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed XML: %v\n%s", tt.name, err, svg)
		}
		if strings.Contains(svg, "<script") {
			t.Errorf("%s: unescaped markup in %s", tt.name, svg)
		}
		if !strings.Contains(svg, `role="img"`) {
			t.Errorf("%s: no role", tt.name)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for in, want := range map[float64]float64{0.3: 0.5, 1: 1, 1.5: 2, 7: 10, 2500: 5000, 0: 1} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
}
