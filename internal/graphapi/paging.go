package graphapi

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// Page sizes of list edges.
const (
	defaultLimit = ordergraph.DefaultListLimit
	maxLimit     = ordergraph.MaxListLimit
)

// limit returns the limit parameter: 25 when absent, clamped to 100, and an
// error when not a positive integer.
func (c *call) limit() (int, error) {
	v := c.params["limit"]
	if absent(v) {
		return defaultLimit, nil
	}
	n, ok := toInt(v)
	if !ok || n <= 0 {
		s, _ := queryValue(v)
		return 0, errParam("limit", msgParamLimit, maxLimit, s)
	}
	if n > maxLimit {
		n = maxLimit
	}
	return int(n), nil
}

// paging returns limit, after and before: what every keyset list takes.
func (c *call) paging() (limit int, after, before string, err error) {
	if limit, err = c.limit(); err != nil {
		return 0, "", "", err
	}
	after, before, err = c.cursors()
	return limit, after, before, err
}

// cursors returns the after and before parameters.
func (c *call) cursors() (after, before string, err error) {
	root := c.params.root()
	if after, err = root.String("after"); err != nil {
		return "", "", err
	}
	if before, err = root.String("before"); err != nil {
		return "", "", err
	}
	return after, before, nil
}

// pageInfo is what a list edge knows about its page of results.
type pageInfo struct {
	before, after        string
	hasNext, hasPrevious bool
	limit                int
}

// list renders a list edge: {"data":[...],"paging":{...}}, or {"data":[]}
// when empty. next and previous are absolute URLs that repeat every
// parameter of the request (the token too, even when it came in a header),
// with the cursor replaced.
func (c *call) list(data []any, pi pageInfo) object {
	if data == nil {
		data = []any{}
	}
	out := object{{"data", data}}
	if len(data) == 0 {
		return out
	}
	paging := object{{"cursors", object{{"before", pi.before}, {"after", pi.after}}}}
	if pi.hasPrevious && pi.before != "" {
		paging = append(paging, member{"previous", c.pageURL(pi.limit, "before", pi.before)})
	}
	if pi.hasNext && pi.after != "" {
		paging = append(paging, member{"next", c.pageURL(pi.limit, "after", pi.after)})
	}
	return append(out, member{"paging", paging})
}

// pageURL builds the URL of the next or previous page.
func (c *call) pageURL(limit int, cursorKey, cursor string) string {
	q := url.Values{}
	for k, v := range c.params {
		if k == "after" || k == "before" {
			continue
		}
		if s, ok := queryValue(v); ok {
			q.Set(k, s)
		}
	}
	if q.Get("access_token") == "" && c.rawToken != "" {
		q.Set("access_token", c.rawToken)
	}
	q.Set("limit", strconv.Itoa(limit))
	q.Set(cursorKey, cursor)
	path := "/" + c.id + "/" + c.edge
	if c.version != "" {
		path = "/" + c.version + path
	}
	return c.baseURL() + path + "?" + q.Encode()
}

// baseURL is scheme://host of absolute URLs: Config.PublicURL when set,
// else the request's Host and X-Forwarded-Proto (or TLS).
func (c *call) baseURL() string {
	if c.h.cfg.PublicURL != "" {
		return strings.TrimRight(c.h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	if p := c.r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.ToLower(strings.TrimSpace(strings.Split(p, ",")[0]))
	}
	host := c.r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}
