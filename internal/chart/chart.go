// Package chart draws small bar charts as SVG on the server, for dashboards
// that work without JavaScript. A chart is a picture for sighted readers
// (role="img" with a title); pages show the same figures in a table beside
// it for screen readers.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one set of bars, one value per label.
type Series struct {
	Name   string
	Values []float64
	Color  string // a CSS colour; the palette's when empty
}

// Chart is a grouped bar chart: for each label, one bar per series.
type Chart struct {
	Title  string
	Labels []string // x axis
	Series []Series
	// Percent shows values as percentages of 1 (0.25 = 25 %), on a 0–100 % axis.
	Percent bool
	Width   int // default 720
	Height  int // default 260
}

// palette has enough contrast on white (WCAG 1.4.11, 3:1 for graphics).
var palette = []string{"#0b3a75", "#b3261e", "#1d6b3a", "#7a4b00", "#5b2a86"}

// SVG returns the chart as an <svg> element, safe to place in a page.
func (c Chart) SVG() template.HTML {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 720
	}
	if h <= 0 {
		h = 260
	}
	const left, right, top, bottom = 48.0, 8.0, 28.0, 40.0
	plotW, plotH := float64(w)-left-right, float64(h)-top-bottom
	max := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			max = math.Max(max, v)
		}
	}
	if c.Percent {
		max = 1
	}
	if max <= 0 {
		max = 1
	}
	step := niceStep(max / 4)
	top4 := math.Ceil(max/step) * step
	var b strings.Builder
	id := fmt.Sprintf("chart-%x", hash(c.Title))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, id)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, html.EscapeString(c.Title))
	for v := 0.0; v <= top4+step/2; v += step {
		y := top + plotH - v/top4*plotH
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#b1b4b6" stroke-width="1"/>`, left, y, left+plotW, y)
		label := trimFloat(v)
		if c.Percent {
			label = fmt.Sprintf("%.0f %%", v*100)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#0b0c0c">%s</text>`, left-6, y+4, label)
	}
	n := len(c.Labels)
	if n > 0 && len(c.Series) > 0 {
		group := plotW / float64(n)
		bar := math.Max(1, (group*0.8)/float64(len(c.Series)))
		every := int(math.Ceil(float64(n) / 12)) // at most about 12 labels
		for i, l := range c.Labels {
			x0 := left + float64(i)*group + group*0.1
			for j, s := range c.Series {
				if i >= len(s.Values) {
					continue
				}
				v := s.Values[i]
				bh := v / top4 * plotH
				color := s.Color
				if color == "" {
					color = palette[j%len(palette)]
				}
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
					x0+float64(j)*bar, top+plotH-bh, bar, bh, html.EscapeString(color), html.EscapeString(s.Name), html.EscapeString(l), value(v, c.Percent))
			}
			if i%every == 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#0b0c0c">%s</text>`,
					left+float64(i)*group+group/2, top+plotH+16, html.EscapeString(l))
			}
		}
	}
	// Legend.
	x := left
	for j, s := range c.Series {
		color := s.Color
		if color == "" {
			color = palette[j%len(palette)]
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="8" width="12" height="12" fill="%s"/><text x="%.1f" y="18" font-size="12" fill="#0b0c0c">%s</text>`,
			x, html.EscapeString(color), x+16, html.EscapeString(s.Name))
		x += 24 + float64(len([]rune(s.Name)))*6.5
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

func value(v float64, percent bool) string {
	if percent {
		return fmt.Sprintf("%.0f %%", v*100)
	}
	return trimFloat(v)
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// niceStep rounds a grid step up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func hash(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
