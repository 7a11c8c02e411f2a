package ordergraph_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRootImportsNoIO keeps the root package domain vocabulary only: it
// must not reach the network, databases, templates or any adapter.
func TestRootImportsNoIO(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	deny := []string{"net/http", "database/sql", "html/template", "os/exec", "github.com/ordergraph/ordergraph/internal/"}
	for _, dep := range strings.Fields(string(out)) {
		for _, d := range deny {
			if dep == d || strings.HasPrefix(dep, d) && strings.HasSuffix(d, "/") {
				t.Errorf("package ordergraph depends on %s", dep)
			}
		}
	}
}
