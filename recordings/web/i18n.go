package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// lang is one language of the interface: its message table and its way of
// writing dates and numbers.
type lang struct {
	Code string
	msgs map[string]string
}

// languages are the interface's languages by code. The tables are built on
// first use, not at start: commands that render nothing, the hook above all,
// run in a few milliseconds and should not pay for them.
var languages = sync.OnceValue(func() map[string]*lang {
	return map[string]*lang{
		"en": {Code: "en", msgs: merged(messagesEN(), authMessagesEN(), holdMessagesEN(), settingsMessagesEN(), a11yMessagesEN(), evidenceMessagesEN(), subjectMessagesEN())},
		"ru": {Code: "ru", msgs: merged(messagesRU(), authMessagesRU(), holdMessagesRU(), settingsMessagesRU(), a11yMessagesRU(), evidenceMessagesRU(), subjectMessagesRU())},
	}
})

// langCookie remembers a language picked with ?lang=.
const langCookie = "totalrec_lang"

// T returns the message for key; a key missing from the table shows as itself,
// which the tests catch.
func (l *lang) T(key string) string {
	if m, ok := l.msgs[key]; ok {
		return m
	}
	if m, ok := languages()["en"].msgs[key]; ok {
		return m
	}
	return key
}

// F formats the message for key with args.
func (l *lang) F(key string, args ...any) string { return fmt.Sprintf(l.T(key), args...) }

var (
	monthsRU = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	daysRU   = [...]string{"вс", "пн", "вт", "ср", "чт", "пт", "сб"}
)

// DateTime writes a call time: "Thu 26 Nov 2026, 10:15:30" or "чт 26 ноября 2026, 10:15:30".
func (l *lang) DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if l.Code == "ru" {
		return fmt.Sprintf("%s %d %s %d, %s", daysRU[t.Weekday()], t.Day(), monthsRU[t.Month()-1], t.Year(), t.Format("15:04:05"))
	}
	return t.Format("Mon 2 Jan 2006, 15:04:05")
}

// Short writes a call time for a table row: "26 Nov 10:15" or "26.11 10:15", with
// the year when it is not now's.
func (l *lang) Short(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	switch {
	case l.Code == "ru" && t.Year() == now.Year():
		return t.Format("02.01 15:04:05")
	case l.Code == "ru":
		return t.Format("02.01.2006 15:04:05")
	case t.Year() == now.Year():
		return t.Format("2 Jan 15:04:05")
	}
	return t.Format("2 Jan 2006 15:04:05")
}

// DateInput writes t for a form's date box, the way the language writes dates:
// 2026-11-26 10:15 or 26.11.2026 10:15 (without the time unless withTime).
func (l *lang) DateInput(t time.Time, withTime bool) string {
	layout := "2006-01-02"
	if l.Code == "ru" {
		layout = "02.01.2006"
	}
	if withTime {
		layout += " 15:04"
	}
	return t.Format(layout)
}

// Month writes t's month: 2026-11 or 11.2026.
func (l *lang) Month(t time.Time) string {
	if l.Code == "ru" {
		return t.Format("01.2006")
	}
	return t.Format("2006-01")
}

// Number writes n with thousands separated: 12,345 or 12 345.
func (l *lang) Number(n int) string {
	s := strconv.Itoa(n)
	sep := ","
	if l.Code == "ru" {
		sep = "\u00a0"
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Bytes writes a file size.
func (l *lang) Bytes(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	if l.Code == "ru" {
		units = []string{"Б", "КБ", "МБ", "ГБ", "ТБ"}
	}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d %s", n, units[0])
	}
	s := fmt.Sprintf("%.1f %s", f, units[i])
	if l.Code == "ru" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// clock writes a duration as m:ss or h:mm:ss, cut to whole seconds as the
// player's clock is (app.js), so that a recording's length reads the same in
// the header, the table and the player.
func clock(d time.Duration) string {
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// pickLang chooses the language: ?lang=, then the cookie, then the site's
// default (site, nil when none is set), then Accept-Language, then English.
func pickLang(r *http.Request, site func() *lang) (l *lang, fromQuery bool) {
	if l, ok := languages()[r.URL.Query().Get("lang")]; ok {
		return l, true
	}
	if ck, err := r.Cookie(langCookie); err == nil {
		if l, ok := languages()[ck.Value]; ok {
			return l, false
		}
	}
	if l := site(); l != nil {
		return l, false
	}
	return acceptLanguage(r.Header.Get("Accept-Language")), false
}

// acceptLanguage picks the supported language the header prefers most.
func acceptLanguage(h string) *lang {
	best, bestQ := languages()["en"], -1.0
	if len(h) > 1024 {
		h = h[:1024]
	}
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l, ok := languages()[base]; ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// language puts the request's language in the context and remembers one picked
// with ?lang= in a cookie.
func (s *Server) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		l, fromQuery := pickLang(c.Request(), func() *lang { return s.siteLanguage(c.Request().Context()) })
		if fromQuery {
			c.SetCookie(&http.Cookie{Name: langCookie, Value: l.Code, Path: s.cookiePath(), MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		c.Set("lang", l)
		return next(c)
	}
}

func langOf(c echo.Context) *lang {
	if l, ok := c.Get("lang").(*lang); ok {
		return l
	}
	return languages()["en"]
}

// Recordings writes a count of recordings with the plural form the language
// needs: "1 recording", "3 записи", "more than 10,000 recordings".
func (l *lang) Recordings(n int, capped bool) string {
	if capped {
		return l.F("results.capped", l.Number(n))
	}
	form := "results.many"
	switch {
	case l.Code == "ru" && n%10 == 1 && n%100 != 11:
		form = "results.one"
	case l.Code == "ru" && n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		form = "results.few"
	case l.Code != "ru" && n == 1:
		form = "results.one"
	}
	return l.F(form, l.Number(n))
}
