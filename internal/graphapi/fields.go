package graphapi

import (
	"fmt"
	"strconv"
	"strings"
)

// selection is a parsed fields= value: the fields asked for, in request
// order. A nil selection means "the type's defaults".
type selection []*fieldSel

// fieldSel is one selected field: items.limit(5){id,quantity}.
type fieldSel struct {
	name  string
	limit int       // .limit(n); 0 when not given
	sub   selection // the braces' selection; nil without braces
}

// parseFields parses Graph's field selection syntax: a comma list of names,
// each optionally followed by .limit(n) and a braced sub-selection (in
// either order), with spaces allowed anywhere. Quotes around the whole value
// (the legacy docs' fields="a,b{c}") are dropped. An empty value is a nil
// selection.
func parseFields(s string) (selection, error) {
	src := strings.TrimSpace(s)
	if len(src) >= 2 && (src[0] == '"' && src[len(src)-1] == '"' || src[0] == '\'' && src[len(src)-1] == '\'') {
		src = strings.TrimSpace(src[1 : len(src)-1])
	}
	if src == "" {
		return nil, nil
	}
	p := &fieldsParser{src: src}
	sel, err := p.list(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.fail("Expected end of string instead of \"" + string(p.src[p.pos]) + "\".")
	}
	if len(sel) == 0 {
		return nil, nil
	}
	return sel, nil
}

type fieldsParser struct {
	src string
	pos int
}

func (p *fieldsParser) fail(what string) error {
	return errFieldsSyntax(what, p.pos, p.src)
}

func (p *fieldsParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *fieldsParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *fieldsParser) name() string {
	p.space()
	start := p.pos
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// list parses field (',' field)*, skipping empty entries ("a,,b", "a,").
// depth > 0 stops at the closing brace.
// maxFieldsDepth bounds fields= nesting (items{tax_details{…}}): deeper
// than any object goes, and unbounded nesting would let one request
// exhaust the stack.
const maxFieldsDepth = 16

func (p *fieldsParser) list(depth int) (selection, error) {
	var sel selection
	seen := map[string]bool{}
	for {
		c := p.peek()
		switch {
		case c == 0:
			if depth > 0 {
				return nil, p.fail("Expected \"}\" before the end of the string.")
			}
			return sel, nil
		case c == '}':
			if depth == 0 {
				return nil, p.fail("Expected end of string instead of \"}\".")
			}
			return sel, nil
		case c == ',':
			p.pos++
			continue
		}
		fs, err := p.field(depth)
		if err != nil {
			return nil, err
		}
		if !seen[fs.name] {
			seen[fs.name] = true
			sel = append(sel, fs)
		}
		switch c := p.peek(); {
		case c == ',':
			p.pos++
		case c == '}' || c == 0:
		default:
			return nil, p.fail("Expected \",\" instead of \"" + string(c) + "\".")
		}
	}
}

// field parses name ('.' modifier '(' arg ')' | '{' list '}')*.
func (p *fieldsParser) field(depth int) (*fieldSel, error) {
	name := p.name()
	if name == "" {
		return nil, p.fail("Expected a field name instead of \"" + string(p.src[p.pos]) + "\".")
	}
	fs := &fieldSel{name: name}
	for {
		switch p.peek() {
		case '.':
			p.pos++
			mod := p.name()
			if mod == "" {
				return nil, p.fail("Expected a modifier name after \".\".")
			}
			if p.peek() != '(' {
				return nil, p.fail("Expected \"(\" after ." + mod + ".")
			}
			p.pos++
			end := strings.IndexByte(p.src[p.pos:], ')')
			if end < 0 {
				return nil, p.fail("Expected \")\" before the end of the string.")
			}
			arg := strings.TrimSpace(p.src[p.pos : p.pos+end])
			if mod != "limit" {
				return nil, errParam("fields", msgFieldsModifier, mod, name)
			}
			n, err := strconv.Atoi(arg)
			if err != nil || n <= 0 {
				return nil, p.fail("Expected a positive integer in .limit() instead of \"" + arg + "\".")
			}
			fs.limit = n
			p.pos += end + 1
		case '{':
			if fs.sub != nil {
				return nil, p.fail("Expected \",\" instead of \"{\".")
			}
			if depth+1 > maxFieldsDepth {
				return nil, p.fail(fmt.Sprintf("Fields may nest at most %d levels deep.", maxFieldsDepth))
			}
			p.pos++
			sub, err := p.list(depth + 1)
			if err != nil {
				return nil, err
			}
			p.pos++ // the closing brace, checked by list
			if sub == nil {
				sub = selection{}
			}
			fs.sub = sub
		default:
			if fs.sub != nil && len(fs.sub) == 0 {
				// "items{}" asks for nothing in particular: defaults.
				fs.sub = nil
			}
			return fs, nil
		}
	}
}
