package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// chartLabel is a text of an SVG chart and the box it takes (user units).
type chartLabel struct {
	text           string
	chart          int
	x, y, size     float64
	anchor         string
	x0, y0, x1, y1 float64
	viewW, viewH   float64
}

// LabelProblems checks the text labels of a page's SVG charts (<svg
// class="chart">, as the monthly report draws them): it lists those that
// overlap one another or leave their chart (cut off when printed), and
// says how many labels it read. A label's box is worked out from its
// position, anchor and font size: a CJK character is one em wide, any
// other 0.6 em (wider than digits and Latin letters are in the fonts
// used), from 0.85 em above the baseline to 0.25 em below.
func LabelProblems(page string) (problems []string, labels int, err error) {
	ls, err := chartLabels(page)
	if err != nil {
		return nil, 0, err
	}
	for i, a := range ls {
		if a.x0 < -0.5 || a.y0 < -0.5 || a.x1 > a.viewW+0.5 || a.y1 > a.viewH+0.5 {
			problems = append(problems, fmt.Sprintf("chart %d: label %q [%.0f,%.0f]-[%.0f,%.0f] leaves the chart (0-%.0f × 0-%.0f)",
				a.chart, a.text, a.x0, a.y0, a.x1, a.y1, a.viewW, a.viewH))
		}
		for _, b := range ls[i+1:] {
			if a.chart == b.chart && a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 {
				problems = append(problems, fmt.Sprintf("chart %d: labels %q and %q overlap", a.chart, a.text, b.text))
			}
		}
	}
	return problems, len(ls), nil
}

func chartLabels(page string) ([]chartLabel, error) {
	var out []chartLabel
	for i, rest := 0, page; ; i++ {
		start := strings.Index(rest, `<svg class="chart"`)
		if start < 0 {
			return out, nil
		}
		end := strings.Index(rest[start:], "</svg>")
		if end < 0 {
			return nil, fmt.Errorf("chart %d: no </svg>", i)
		}
		ls, err := svgLabels(rest[start:start+end+len("</svg>")], i)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
		rest = rest[start+end:]
	}
}

func svgLabels(svg string, chart int) ([]chartLabel, error) {
	var out []chartLabel
	d := xml.NewDecoder(strings.NewReader(svg))
	var vw, vh float64
	var cur *chartLabel
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("chart %d: %w", chart, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[a.Name.Local] = a.Value
			}
			num := func(k string) float64 { v, _ := strconv.ParseFloat(attr[k], 64); return v }
			switch e.Name.Local {
			case "svg":
				fmt.Sscanf(attr["viewBox"], "0 0 %g %g", &vw, &vh)
			case "text":
				cur = &chartLabel{chart: chart, viewW: vw, viewH: vh, x: num("x"), y: num("y"), size: num("font-size"), anchor: attr["text-anchor"]}
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(e)
			}
		case xml.EndElement:
			if e.Name.Local == "text" && cur != nil {
				w := monthlyTextWidth(cur.text, cur.size)
				cur.x0 = cur.x
				switch cur.anchor {
				case "middle":
					cur.x0 -= w / 2
				case "end":
					cur.x0 -= w
				}
				cur.x1, cur.y0, cur.y1 = cur.x0+w, cur.y-0.85*cur.size, cur.y+0.25*cur.size
				out = append(out, *cur)
				cur = nil
			}
		}
	}
}
