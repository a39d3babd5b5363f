package recordings_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layers is the import graph doc.go draws: for each package, the Totalrec packages
// its non-test files may import. A new import fails this test until doc.go (and
// docs/architecture.md) say so too.
var layers = map[string][]string{
	"cmd/totalrec":                  {"recordings", "recordings/archive", "recordings/archive/s3", "recordings/auth", "recordings/catalog", "recordings/cdr", "recordings/compress", "recordings/config", "recordings/daemon", "recordings/demo", "recordings/evidence", "recordings/hook", "recordings/ingest", "recordings/retention", "recordings/spool", "recordings/subject", "recordings/webhook"},
	"cmd/totalrec-hook":             {"recordings/hook"},
	"recordings/daemon":             {"recordings", "recordings/ami", "recordings/archive", "recordings/archive/s3", "recordings/catalog", "recordings/cdr", "recordings/compress", "recordings/config", "recordings/evidence", "recordings/hook", "recordings/ingest", "recordings/nodes", "recordings/pause", "recordings/spool", "recordings/subject", "recordings/web", "recordings/webhook"},
	"recordings/web":                {"recordings", "recordings/archive", "recordings/archive/s3", "recordings/auth", "recordings/evidence", "recordings/nodes", "recordings/pause", "recordings/retention", "recordings/spool", "recordings/stream", "recordings/subject"},
	"recordings/webhook":            {"recordings"},
	"recordings/ingest":             {"recordings", "recordings/cdr", "recordings/faultpoint", "recordings/spool"},
	"recordings/hook":               {"recordings/config", "recordings/faultpoint"},
	"recordings/demo":               {"recordings", "recordings/audio", "recordings/cdr"},
	"recordings/retention":          {"internal/flock", "recordings", "recordings/faultpoint", "recordings/spool"},
	"recordings/evidence":           {"internal/flock", "recordings", "recordings/archive", "recordings/spool"},
	"recordings/compress":           {"internal/flock", "recordings", "recordings/audio", "recordings/faultpoint", "recordings/spool", "recordings/stream"},
	"recordings/subject":            {"recordings", "recordings/archive", "recordings/spool"},
	"recordings/archive":            {"internal/flock", "recordings", "recordings/archive/s3", "recordings/faultpoint", "recordings/spool"},
	"recordings/archive/s3":         {"internal/ranged"},
	"recordings/nodes":              {"internal/ranged", "recordings"},
	"recordings/pause":              {"recordings", "recordings/ami"},
	"recordings/ami":                nil,
	"recordings/catalog":            {"internal/sqlrows", "recordings", "recordings/faultpoint"},
	"recordings/cdr":                {"internal/sqlrows", "recordings"},
	"recordings/stream":             {"recordings", "recordings/audio"},
	"recordings/spool":              {"recordings", "recordings/audio"},
	"recordings":                    nil,
	"recordings/audio":              nil,
	"recordings/auth":               nil,
	"recordings/config":             nil,
	"recordings/faultpoint":         nil,
	"internal/sqlrows":              nil,
	"internal/flock":                nil,
	"internal/ranged":               nil,
	"internal/testsupport/mariadb":  nil,                       // test support: imported by tests only
	"internal/testsupport/s3server": {"recordings/archive/s3"}, // test support: imported by tests only
}

const module = "github.com/totalrec/totalrec/"

func TestImportsFollowTheLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		if !strings.HasPrefix(pkg, "recordings") && !strings.HasPrefix(pkg, "internal/") && pkg != "cmd/totalrec" && pkg != "cmd/totalrec-hook" {
			return nil // bench, test and the like are not product code
		}
		allowed, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s is not in the layers of doc.go", pkg)
			return nil
		}
		seen[pkg] = true
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			dep, ok := strings.CutPrefix(path, module)
			if ok && !slices.Contains(allowed, dep) {
				t.Errorf("%s/%s imports %s: not in the layers of doc.go", pkg, name, dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range layers {
		if !seen[pkg] {
			t.Errorf("doc.go's layers name %s, which has no Go files", pkg)
		}
	}
}
