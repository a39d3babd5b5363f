package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed templates
var templateFS embed.FS

// pages are the templates rendered as whole pages; each is layout.html plus its
// own file.
var pages = []string{"search", "player", "error", "login", "users", "audit", "storage", "holds", "settings", "evidence", "subject"}

// barePages are whole documents of their own, without the layout: the share
// player, made to sit in another site's iframe.
var barePages = []string{"share"}

// views renders the embedded templates, parsed once.
type views struct {
	sets map[string]*template.Template
}

// parseViews parses the templates for a server under base (base.go): asset and
// path put the base before a static file's URL and a route's path.
func parseViews(a *assets, base string) (*views, error) {
	funcs := template.FuncMap{
		"asset": func(name string) string { return base + a.url(name) },
		"path":  func(p string) string { return base + p },
		"seconds": func(d time.Duration) string {
			return fmt.Sprintf("%.1f", d.Seconds())
		},
	}
	v := &views{sets: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("parse templates: %w", err)
		}
		v.sets[p] = t
	}
	for _, p := range barePages {
		// Named layout.html so that Render runs it like the others.
		b, err := templateFS.ReadFile("templates/" + p + ".html")
		if err != nil {
			return nil, fmt.Errorf("parse templates: %w", err)
		}
		t, err := template.New("layout.html").Funcs(funcs).Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("parse templates: %w", err)
		}
		v.sets[p] = t
	}
	return v, nil
}

// Render is echo's Renderer: it writes page name with data.
func (v *views) Render(w io.Writer, name string, data any, _ echo.Context) error {
	t, ok := v.sets[name]
	if !ok {
		return fmt.Errorf("render %s: no such page", name)
	}
	if err := t.ExecuteTemplate(w, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// page is what every page's template gets.
type page struct {
	L       *lang
	Base    string // the base path (base.go), for the script: <body data-base>
	Title   string
	Version string
	Zone    string
	Now     time.Time
	url     *url.URL
	Data    any
	// Who is signed in, for the header; nil on the sign-in page.
	User *pageUser
}

// pageUser is the signed-in person as the layout shows them.
type pageUser struct {
	Name     string
	Role     string
	CSRF     string // the session's CSRF token, for forms
	Admin    bool
	CanShare bool
	CanHold  bool
	Subjects bool // the data subject page is there
	CanPause bool // live calls can be paused (a manager interface is configured)
}

// LangURL is the current page's URL in language code, or the search page's
// when the current URL is not a plain path here (an error page for
// "//evil.example/" must not link there). The request's URL is the route's
// path, below the base.
func (p page) LangURL(code string) string {
	u := *p.url
	q := u.Query()
	q.Set("lang", code)
	u.RawQuery = q.Encode()
	return p.Base + localTarget(u.RequestURI(), "/?lang="+code)
}

func (s *Server) newPage(c echo.Context, title string, data any) page {
	now := s.now().In(s.loc)
	pg := page{L: langOf(c), Base: s.base, Title: title, Version: s.opts.Version, Zone: zoneName(now),
		Now: now, url: c.Request().URL, Data: data}
	if p := principalOf(c); p != nil {
		pg.User = &pageUser{Name: p.Name, Role: string(p.Role), Admin: p.isAdmin(), CanShare: p.canShare(),
			CanHold: p.canHold() && p.Session != nil, Subjects: p.isAdmin() && s.opts.Subjects.Subject != nil,
			CanPause: s.opts.Pauser != nil && p.Session != nil}
		if p.Session != nil {
			pg.User.CSRF = p.Session.CSRF
		}
	}
	return pg
}

// zoneName names t's zone for people: "Europe/Moscow (UTC+03:00)", or the
// abbreviation when the zone is the machine's unnamed local one.
func zoneName(t time.Time) string {
	name := t.Location().String()
	abbr, _ := t.Zone()
	off := t.Format("-07:00")
	if name == "Local" || name == "" {
		name = abbr
	}
	return name + " (UTC" + off + ")"
}

// errorPage is the data of the error page.
func (s *Server) errorPage(c echo.Context, status int, code, msg string) page {
	l := langOf(c)
	return s.newPage(c, l.T("error.title"), struct {
		Status        int
		Code, Message string
	}{status, code, msg})
}
