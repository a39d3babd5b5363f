package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file with its checksum.
type asset struct {
	body        []byte
	sum         string // first 16 hex digits of its SHA-256
	contentType string
}

// assets are the static files by name, loaded once.
type assets struct {
	files   map[string]*asset
	modTime time.Time
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]*asset{}, modTime: time.Now()}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[path.Base(p)] = &asset{body: b, sum: hex.EncodeToString(sum[:8]), contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return a, nil
}

// url is the checksummed URL of a static file; it changes whenever the file does.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		panic("web: no static file " + name) // a template names a file that is not embedded
	}
	return "/static/" + f.sum + "/" + name
}

// staticFile serves an embedded file under its checksummed URL, cached for a
// year: a new version has a new URL. A stale checksum is a 404.
func (s *Server) staticFile(c echo.Context) error {
	f, ok := s.assets.files[c.Param("name")]
	if !ok || f.sum != c.Param("sum") {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.sum+`"`)
	http.ServeContent(c.Response(), c.Request(), c.Param("name"), s.assets.modTime, bytes.NewReader(f.body))
	return nil
}
