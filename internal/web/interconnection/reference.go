package interconnection

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"sort"
	"strings"
)

// reference is the API reference page's content, built once from the
// OpenAPI document, so the page can never disagree with the contract.
type reference struct {
	Title, Version  string
	Intro, IntroEN  template.HTML
	Tags            []refTag
	Codes           []refCode
	ValidationCodes []refValidation
	Webhook         refWebhook
	Schemas         []refSchema
}

type refTag struct {
	Name, Description string
	Operations        []refOperation
}

type refOperation struct {
	Anchor, Method, Path           string
	Summary, SummaryEN             string
	Description, DescriptionEN     template.HTML
	Params                         []refParam
	Bodies                         []refBody
	Responses                      []refResponse
	Curl                           string
	Public, NeedsIdempotency, List bool
}

type refParam struct {
	Name, In, Type, Description string
	Required                    bool
}

// refBody and refResponse name their schema; Link is set when it is a
// component the page describes.
type refBody struct {
	MediaType, Schema string
	Link              bool
}

type refResponse struct {
	Status, Description, Schema string
	Link                        bool
}

type refCode struct {
	Code          string
	Status        int
	Description   string
	DescriptionEN string
}

type refValidation struct {
	Code, Field string
}

type refWebhook struct {
	Description, DescriptionEN template.HTML
	Headers                    []refParam
	Schema                     string
}

type refSchema struct {
	Name, Description string
	Fields            []refField
}

type refField struct {
	Name, Type, Description string
	Required                bool
}

// The document's shapes, as far as the page needs them.
type specDoc struct {
	Info struct {
		Title         string `json:"title"`
		Version       string `json:"version"`
		Description   string `json:"description"`
		DescriptionEN string `json:"x-description-en"`
	} `json:"info"`
	Tags []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tags"`
	Paths    map[string]map[string]specOperation `json:"paths"`
	Webhooks map[string]map[string]specOperation `json:"webhooks"`
	Comps    struct {
		Schemas    map[string]specSchema      `json:"schemas"`
		Parameters map[string]specParam       `json:"parameters"`
		Responses  map[string]specResponse    `json:"responses"`
		Headers    map[string]json.RawMessage `json:"headers"`
	} `json:"components"`
	Codes []struct {
		Code          string `json:"code"`
		Status        int    `json:"status"`
		Description   string `json:"description"`
		DescriptionEN string `json:"x-description-en"`
	} `json:"x-problem-codes"`
	Validation []struct {
		Code  string `json:"code"`
		Field string `json:"field"`
	} `json:"x-validation-codes"`
}

type specOperation struct {
	OperationID   string                  `json:"operationId"`
	Tags          []string                `json:"tags"`
	Summary       string                  `json:"summary"`
	SummaryEN     string                  `json:"x-summary-en"`
	Description   string                  `json:"description"`
	DescriptionEN string                  `json:"x-description-en"`
	Parameters    []specParam             `json:"parameters"`
	RequestBody   *specRequestBody        `json:"requestBody"`
	Responses     map[string]specResponse `json:"responses"`
	Security      *[]any                  `json:"security"`
}

type specParam struct {
	Ref         string      `json:"$ref"`
	Name        string      `json:"name"`
	In          string      `json:"in"`
	Required    bool        `json:"required"`
	Description string      `json:"description"`
	Schema      *specSchema `json:"schema"`
}

type specRequestBody struct {
	Content map[string]struct {
		Schema  *specSchema     `json:"schema"`
		Example json.RawMessage `json:"example"`
	} `json:"content"`
}

type specResponse struct {
	Ref         string `json:"$ref"`
	Description string `json:"description"`
	Content     map[string]struct {
		Schema *specSchema `json:"schema"`
	} `json:"content"`
}

type specSchema struct {
	Ref         string                `json:"$ref"`
	Type        any                   `json:"type"`
	Format      string                `json:"format"`
	Enum        []any                 `json:"enum"`
	Items       *specSchema           `json:"items"`
	Properties  map[string]specSchema `json:"properties"`
	Required    []string              `json:"required"`
	Description string                `json:"description"`
}

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

// newReference reads the OpenAPI document into the page's content.
func newReference(spec []byte) (*reference, error) {
	var d specDoc
	if err := json.Unmarshal(spec, &d); err != nil {
		return nil, err
	}
	ref := &reference{Title: d.Info.Title, Version: d.Info.Version, Intro: prose(d.Info.Description), IntroEN: prose(d.Info.DescriptionEN)}
	byTag := map[string]*refTag{}
	for _, t := range d.Tags {
		ref.Tags = append(ref.Tags, refTag{Name: t.Name, Description: t.Description})
	}
	for i := range ref.Tags {
		byTag[ref.Tags[i].Name] = &ref.Tags[i]
	}
	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		methods := make([]string, 0, len(d.Paths[p]))
		for m := range d.Paths[p] {
			methods = append(methods, m)
		}
		sort.Slice(methods, func(i, j int) bool { return methodOrder[methods[i]] < methodOrder[methods[j]] })
		for _, m := range methods {
			op := d.Paths[p][m]
			ro := d.operation(p, m, op)
			tag := "API"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			t, ok := byTag[tag]
			if !ok {
				return nil, fmt.Errorf("operation %s uses the undeclared tag %q", op.OperationID, tag)
			}
			t.Operations = append(t.Operations, ro)
		}
	}
	for _, c := range d.Codes {
		ref.Codes = append(ref.Codes, refCode{Code: c.Code, Status: c.Status, Description: c.Description, DescriptionEN: c.DescriptionEN})
	}
	for _, v := range d.Validation {
		ref.ValidationCodes = append(ref.ValidationCodes, refValidation{Code: v.Code, Field: v.Field})
	}
	for _, w := range d.Webhooks {
		for _, op := range w {
			ref.Webhook = refWebhook{Description: prose(op.Description), DescriptionEN: prose(op.DescriptionEN)}
			for _, p := range op.Parameters {
				ref.Webhook.Headers = append(ref.Webhook.Headers, refParam{Name: p.Name, In: p.In, Required: p.Required, Type: typeOf(p.Schema)})
			}
			if op.RequestBody != nil {
				for _, c := range op.RequestBody.Content {
					ref.Webhook.Schema = typeOf(c.Schema)
				}
			}
		}
	}
	names := make([]string, 0, len(d.Comps.Schemas))
	for n := range d.Comps.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := d.Comps.Schemas[n]
		rs := refSchema{Name: n, Description: s.Description}
		if len(s.Properties) == 0 {
			rs.Fields = append(rs.Fields, refField{Name: "—", Type: typeOf(&s)})
		}
		props := make([]string, 0, len(s.Properties))
		for p := range s.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			ps := s.Properties[p]
			rs.Fields = append(rs.Fields, refField{Name: p, Type: typeOf(&ps), Description: ps.Description, Required: contains(s.Required, p)})
		}
		ref.Schemas = append(ref.Schemas, rs)
	}
	return ref, nil
}

func (d *specDoc) operation(path, method string, op specOperation) refOperation {
	ro := refOperation{Anchor: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary, SummaryEN: op.SummaryEN,
		Description: prose(op.Description), DescriptionEN: prose(op.DescriptionEN),
		Public: op.Security != nil && len(*op.Security) == 0}
	for _, p := range op.Parameters {
		if p.Ref != "" {
			p = d.Comps.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
		}
		if p.Name == "Idempotency-Key" {
			ro.NeedsIdempotency = true
		}
		ro.Params = append(ro.Params, refParam{Name: p.Name, In: p.In, Required: p.Required, Description: p.Description, Type: typeOf(p.Schema)})
	}
	var example json.RawMessage
	var media []string
	if op.RequestBody != nil {
		for mt, c := range op.RequestBody.Content {
			media = append(media, mt)
			t := typeOf(c.Schema)
			_, link := d.Comps.Schemas[t]
			ro.Bodies = append(ro.Bodies, refBody{MediaType: mt, Schema: t, Link: link})
			if len(c.Example) > 0 {
				example = c.Example
			}
		}
		sort.Slice(ro.Bodies, func(i, j int) bool { return ro.Bodies[i].MediaType < ro.Bodies[j].MediaType })
	}
	statuses := make([]string, 0, len(op.Responses))
	for s := range op.Responses {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		r := op.Responses[s]
		if r.Ref != "" {
			r = d.Comps.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]
		}
		rr := refResponse{Status: s, Description: r.Description}
		for _, c := range r.Content {
			rr.Schema = typeOf(c.Schema)
			_, rr.Link = d.Comps.Schemas[rr.Schema]
		}
		ro.Responses = append(ro.Responses, rr)
	}
	ro.Curl = curl(ro, media, example)
	return ro
}

// curl writes a command that performs the operation, with the key and the
// server's address taken from the environment.
func curl(op refOperation, media []string, example json.RawMessage) string {
	path := op.Path
	for _, p := range op.Params {
		if p.In == "path" {
			v := "$ID"
			if p.Name == "nui" {
				v = "1714307103"
			}
			path = strings.ReplaceAll(path, "{"+p.Name+"}", v)
		}
	}
	var b strings.Builder
	b.WriteString("curl")
	if op.Method != "GET" {
		b.WriteString(" -X " + op.Method)
	}
	fmt.Fprintf(&b, " \"$BUZON_URL%s\"", path)
	if !op.Public {
		b.WriteString(" \\\n  -H \"Authorization: Bearer $BUZON_API_KEY\"")
	}
	if op.NeedsIdempotency {
		b.WriteString(" \\\n  -H \"Idempotency-Key: $(uuidgen)\"")
	}
	switch {
	case contains(media, "multipart/form-data"):
		b.WriteString(" \\\n  -F \"file=@resolucion.pdf\"")
	case contains(media, "application/json"):
		b.WriteString(" \\\n  -H \"Content-Type: application/json\"")
		body := []byte("{}")
		if len(example) > 0 {
			var out bytes.Buffer
			if json.Indent(&out, example, "  ", "  ") == nil {
				body = out.Bytes()
			}
		}
		fmt.Fprintf(&b, " \\\n  -d '%s'", strings.ReplaceAll(string(body), "'", `'\''`))
	}
	return b.String()
}

// typeOf writes a schema's type briefly: a component's name, "list of X",
// a type with its format or values.
func typeOf(s *specSchema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndexByte(s.Ref, '/')+1:]
	}
	t := fmt.Sprint(s.Type)
	if list, ok := s.Type.([]any); ok {
		parts := make([]string, len(list))
		for i, x := range list {
			parts[i] = fmt.Sprint(x)
		}
		t = strings.Join(parts, " | ")
	}
	switch {
	case t == "array" && s.Items != nil:
		return "[" + typeOf(s.Items) + "]"
	case len(s.Enum) > 0:
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return strings.Join(vals, " | ")
	case s.Format != "":
		return t + " (" + s.Format + ")"
	case t == "<nil>":
		return "object"
	}
	return t
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	boldRE = regexp.MustCompile(`\*\*(.+?)\*\*`)
	codeRE = regexp.MustCompile("`([^`]+)`")
)

// prose renders the document's descriptions: paragraphs split by blank
// lines, **bold** and `code`; everything else is escaped text.
func prose(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		t := html.EscapeString(para)
		t = boldRE.ReplaceAllString(t, "<strong>$1</strong>")
		t = codeRE.ReplaceAllString(t, `<code class="code">$1</code>`)
		b.WriteString("<p>" + t + "</p>\n")
	}
	return template.HTML(b.String()) // escaped above; only our own tags added
}
