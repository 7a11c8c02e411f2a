package storetest_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMigrationNames keeps the dialects in step: every migration exists,
// under the same name, for SQLite and for PostgreSQL.
func TestMigrationNames(t *testing.T) {
	t.Parallel()
	names := func(dir string) []string {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	sqlite, postgres := names("../sqlite/migration"), names("../postgres/migration")
	if len(sqlite) == 0 {
		t.Fatal("no migrations")
	}
	if diff := cmp.Diff(sqlite, postgres); diff != "" {
		t.Errorf("migration files differ (-sqlite +postgres):\n%s", diff)
	}
}
