package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings/retention"
)

// The retention part of the settings page. An administrator edits the policy
// file's text and previews what tonight's run would delete under it — computed
// from the submitted text, nothing written — and only then saves it: the save
// carries the digest of the text previewed and of the file as it was read, and is
// refused when either differs. An invalid policy is never written. The file is
// the one configuration's retention_policy names (Storage.PolicyFile), never a
// path from the request, and is replaced atomically: a temporary file in its
// directory, synced, renamed over it.

// maxPolicyText bounds a submitted policy.
const maxPolicyText = 64 << 10

// retentionForm is the retention section's data.
type retentionForm struct {
	Loaded    bool   // filled; renderSettings reads the file otherwise
	Path      string // the policy file
	Text      string
	Missing   bool   // no file yet
	Base      string // digest of the file as read, sent back with a save
	Previewed string // digest of Text when Preview shows its plan
	MinFree   string // the thresholds as the text writes them
	MaxSpool  string
	Error     string
	Preview   *policyPreview
}

// policyPreview is what a run under a submitted policy would do now.
type policyPreview struct {
	Lines       []string // the policy in words
	Empty       bool     // no rule: nothing is deleted
	Files       string
	Bytes       string
	Rules, Kept []ruleRow
	Refused     string
	Short       bool
	PlanError   string
}

func digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// currentPolicy reads the policy file for the form.
func (s *Server) currentPolicy() (retentionForm, error) {
	f := retentionForm{Loaded: true}
	b, err := os.ReadFile(s.policyFile())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.Missing = true
	case err != nil:
		return f, fmt.Errorf("read retention policy: %w", err)
	}
	f.Text = string(b)
	f.Base = digest(f.Text)
	f.MinFree, f.MaxSpool = policyValue(f.Text, "min_free"), policyValue(f.Text, "max_spool")
	return f, nil
}

// submittedPolicy reads the form's text, with the browser's CRLF as LF.
func submittedPolicy(c echo.Context) (string, error) {
	text := strings.ReplaceAll(c.FormValue("policy"), "\r\n", "\n")
	if len(text) > maxPolicyText {
		return "", badRequest("policy", "longer than %d bytes", maxPolicyText)
	}
	return text, nil
}

// previewRetention is POST /settings/retention: with op=save, the text is
// written if it is the one previewed; otherwise (or when it is not) the page
// shows what a run under the text would delete, with a Save button.
func (s *Server) previewRetention(storage *storageCache) echo.HandlerFunc {
	return func(c echo.Context) error {
		text, err := submittedPolicy(c)
		if err != nil {
			return err
		}
		f := retentionForm{Loaded: true, Text: text, Base: c.FormValue("base")}
		if c.FormValue("op") == "save" && c.FormValue("previewed") == digest(text) {
			return s.saveRetention(c, storage, f)
		}
		return s.showPreview(c, f)
	}
}

// setThresholds is POST /settings/thresholds: the disk thresholds (the policy's
// min_free and max_spool watermarks) written into the policy text and previewed;
// saving is the same step as for any other change of the text.
func (s *Server) setThresholds(c echo.Context) error {
	text, err := submittedPolicy(c)
	if err != nil {
		return err
	}
	for _, key := range []string{"min_free", "max_spool"} {
		v := strings.TrimSpace(c.FormValue(key))
		if strings.ContainsAny(v, "#\n\r=") || len(v) > 40 {
			return badRequest(key, "%q is not a threshold", clip(v, 40))
		}
		text = setPolicyValue(text, key, v)
	}
	return s.showPreview(c, retentionForm{Loaded: true, Text: text, Base: c.FormValue("base")})
}

// showPreview renders the page with the plan of f.Text, or why the text is not a
// policy (400).
func (s *Server) showPreview(c echo.Context, f retentionForm) error {
	l := langOf(c)
	f.MinFree, f.MaxSpool = policyValue(f.Text, "min_free"), policyValue(f.Text, "max_spool")
	p, err := retention.Parse(strings.NewReader(f.Text), "policy")
	if err != nil {
		f.Error = inputMessage(err)
		return s.renderSettings(c, http.StatusBadRequest, settingsView{Retention: f})
	}
	pv := &policyPreview{Empty: p.Empty()}
	for _, line := range strings.Split(strings.TrimRight(p.String(), "\n"), "\n")[1:] {
		pv.Lines = append(pv.Lines, strings.TrimSpace(line))
	}
	if !p.Empty() {
		plan, err := s.planPolicy(c, s.opts.Catalog, p)
		if err != nil {
			if st, _, _ := classify(err); st >= 500 {
				return err
			}
			pv.PlanError = inputMessage(err)
		}
		sum := plan.Summary
		pv.Files, pv.Bytes = l.Number(int(sum.Delete.Files)), l.Bytes(sum.Delete.Bytes)
		pv.Rules, pv.Kept, pv.Short = ruleRows(l, sum.ByRule), ruleRows(l, sum.KeptBy), plan.WatermarkShort
		if err := p.CheckShare(sum, false); err != nil && pv.PlanError == "" {
			pv.Refused = err.Error()
		}
	}
	f.Preview, f.Previewed = pv, digest(f.Text)
	return s.renderSettings(c, http.StatusOK, settingsView{Retention: f})
}

// planPolicy plans a run of p now, measuring the disk when p has a watermark.
func (s *Server) planPolicy(c echo.Context, sc RetentionFigures, p retention.Policy) (retention.Plan, error) {
	ctx := c.Request().Context()
	r := &retention.Runner{Store: planStore{sc}, Node: s.opts.Storage.Node, Loc: s.loc, Policy: p, Now: s.now()}
	if p.Watermark() {
		var live int64
		if err := r.List(ctx, retention.Plan{}, func(d retention.Decision) error {
			live += d.Recording.Size
			return nil
		}); err != nil {
			return retention.Plan{}, fmt.Errorf("measure the spool: %w", err)
		}
		disk, err := retention.DiskOf(s.opts.Spool.Dir(), live)
		if err != nil {
			return retention.Plan{}, err
		}
		r.Disk = disk
	}
	return r.Plan(ctx)
}

// saveRetention writes f.Text, previewed, over the policy file unless the file
// changed since the form read it.
func (s *Server) saveRetention(c echo.Context, storage *storageCache, f retentionForm) error {
	if _, err := retention.Parse(strings.NewReader(f.Text), "policy"); err != nil {
		return s.showPreview(c, f)
	}
	path := s.policyFile()
	cur, err := s.currentPolicy()
	if err != nil {
		return err
	}
	if cur.Base != f.Base {
		f.Error = langOf(c).T("settings.retention.changed")
		f.Text = cur.Text
		f.Base = cur.Base
		return s.showPreview(c, f)
	}
	if err := writeAtomic(path, []byte(f.Text)); err != nil {
		f.Error = err.Error()
		return s.renderSettings(c, http.StatusInternalServerError, settingsView{Retention: f})
	}
	storage.reset()
	if err := s.audit(c, actSettingsRetention, 0, fmt.Sprintf("file=%s bytes=%d sha256=%s min_free=%s max_spool=%s",
		path, len(f.Text), digest(f.Text)[:16], policyValue(f.Text, "min_free"), policyValue(f.Text, "max_spool"))); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/settings?saved=retention#retention"))
}

// writeAtomic replaces the file at path with b: a temporary file in the same
// directory, written, synced and renamed over it, then the directory synced. A
// reader sees the old file or the new one, never a part. The new file keeps the
// old one's mode (0644 for a new one).
func writeAtomic(path string, b []byte) error {
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// policyKey is the key of a policy line, "" for a comment or blank line.
func policyKey(line string) string {
	text, _, _ := strings.Cut(line, "#")
	key, _, ok := strings.Cut(text, "=")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(key))
}

// policyValue is the value the text gives key, "" when none.
func policyValue(text, key string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if policyKey(line) == key {
			v, _, _ := strings.Cut(line, "#")
			_, v, _ = strings.Cut(v, "=")
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// setPolicyValue gives key the value in text: its line is replaced (keeping a
// comment after it), removed when value is "", or added at the end.
func setPolicyValue(text, key, value string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if policyKey(line) != key {
			continue
		}
		if value == "" {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
		_, comment, hasComment := strings.Cut(line, "#")
		lines[i] = key + " = " + value
		if hasComment {
			lines[i] += "  #" + comment
		}
		return strings.Join(lines, "\n")
	}
	if value == "" {
		return text
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text + key + " = " + value + "\n"
}

// reset drops the storage page's snapshot: the policy changed.
func (cache *storageCache) reset() {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	cache.snap = nil
}
