package freepbx

import (
	"database/sql"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// The module's Backup.php and Restore.php on testdata/backup_restore.php's stand-in
// for FreePBX's Backup & Restore models, with the settings table in a real SQLite.

type backupFile struct {
	Type     string `json:"type"`
	Filename string `json:"filename"`
	Pathto   string `json:"pathto"`
	Base     string `json:"base"`
}

type fileMeta struct{ Mode, Owner, Group string }

// backupManifest is the module's part of a backup (modulejson/Totalrec.json).
type backupManifest struct {
	Module  string       `json:"module"`
	Dirs    []string     `json:"dirs"`
	Files   []backupFile `json:"files"`
	Configs struct {
		Settings map[string]string   `json:"settings"`
		Files    map[string]fileMeta `json:"files"`
	} `json:"configs"`
}

type backupRun struct {
	Modified bool            `json:"modified"`
	Data     json.RawMessage `json:"data"`
	Log      []string        `json:"log"`
}

func backupStep(t *testing.T, dbFile string, args ...string) backupRun {
	t.Helper()
	out, err := exec.Command(php(t), append([]string{"testdata/backup_restore.php", "../../module", dbFile}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("php backup_restore.php %v: %v\n%s", args, err, out)
	}
	var r backupRun
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

func settingsRows(t *testing.T, dbFile string, set map[string]string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", dbFile)
	must(t, err)
	defer db.Close()
	if set != nil {
		_, err := db.Exec("DELETE FROM totalrec_settings")
		must(t, err)
		for k, v := range set {
			_, err := db.Exec("INSERT INTO totalrec_settings (keyword, value) VALUES (?, ?)", k, v)
			must(t, err)
		}
	}
	rows, err := db.Query("SELECT keyword, value FROM totalrec_settings")
	must(t, err)
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var k, v string
		must(t, rows.Scan(&k, &v))
		got[k] = v
	}
	must(t, rows.Err())
	return got
}

func writeMode(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(body), mode))
	must(t, os.Chmod(path, mode))
}

func checkFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("restored file: %v", err)
		return
	}
	if got := read(t, path); got != body || fi.Mode().Perm() != mode {
		t.Errorf("%s: %q mode %v, want %q mode %v", path, got, fi.Mode().Perm(), body, mode)
	}
}

func logHas(t *testing.T, log []string, want string) {
	t.Helper()
	if !slices.ContainsFunc(log, func(l string) bool { return strings.Contains(l, want) }) {
		t.Errorf("the log lacks %q:\n%s", want, strings.Join(log, "\n"))
	}
}

// TestModuleBackupRestore: a backup holds the settings table's rows and Totalrec's
// two configuration files; restored on a reset module (a new machine), or over other
// settings, the table and the files come back exactly; a tampered backup cannot
// store a refused value or write elsewhere; a FreePBX 14 (legacy) backup's
// settings come back too.
func TestModuleBackupRestore(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "asterisk.db")
	conf := filepath.Join(dir, "etc/totalrec/totalrec.conf")
	policy := filepath.Join(dir, "etc/totalrec/retention.conf")
	const confBody, policyBody = "listen = 127.0.0.1:8080\nsso_secret = s3cret\nbase_path = /totalrec\n", "max_age = 365d\n"
	writeMode(t, conf, confBody, 0o640)
	writeMode(t, policy, policyBody, 0o644)
	backupStep(t, dbFile, "install")
	settings := map[string]string{"daemon_url": "https://rec.example.com", "internal_url": "http://10.0.0.5:9000",
		"config_file": conf, "hook_binary": "/opt/totalrec/bin/totalrec", "force": "no"}
	settingsRows(t, dbFile, settings)

	b := backupStep(t, dbFile, "backup")
	var m backupManifest
	must(t, json.Unmarshal(b.Data, &m))
	if !b.Modified || !maps.Equal(m.Configs.Settings, settings) {
		t.Fatalf("backup: modified %v, settings %v", b.Modified, m.Configs.Settings)
	}
	wantFiles := []backupFile{{"totalrec", "totalrec.conf", filepath.Dir(conf), ""}, {"totalrec", "retention.conf", filepath.Dir(conf), ""}}
	if !slices.Equal(m.Files, wantFiles) || !slices.Equal(m.Dirs, []string{filepath.Dir(conf)}) ||
		m.Configs.Files[conf].Mode != "0640" || m.Configs.Files[policy].Mode != "0644" {
		t.Fatalf("backup files %+v, dirs %v, meta %+v", m.Files, m.Dirs, m.Configs.Files)
	}

	// What the backup handler then does: the manifest as JSON, each file under
	// files/<pathto>/ in the archive (backup/Handlers/Backup/Common.php).
	stage := func(t *testing.T, manifest []byte, files []backupFile) (string, string) {
		tmp := t.TempDir()
		for _, f := range files {
			if b, err := os.ReadFile(filepath.Join(f.Pathto, f.Filename)); err == nil {
				writeMode(t, filepath.Join(tmp, "files", f.Pathto, f.Filename), string(b), 0o644)
			}
		}
		mf := filepath.Join(tmp, "Totalrec.json")
		must(t, os.WriteFile(mf, manifest, 0o644))
		return mf, tmp
	}

	t.Run("new machine", func(t *testing.T) {
		mf, tmp := stage(t, b.Data, m.Files)
		must(t, os.RemoveAll(filepath.Dir(conf)))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "restore", mf, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after the restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640)
		checkFile(t, policy, policyBody, 0o644)
		logHas(t, r.Log, "Restart the totalrec daemon")
	})

	t.Run("over other settings", func(t *testing.T) {
		mf, tmp := stage(t, b.Data, m.Files)
		settingsRows(t, dbFile, map[string]string{"config_file": conf, "force": "yes", "stray": "x"})
		writeMode(t, conf, "listen = 0.0.0.0:9999\n", 0o600)
		backupStep(t, dbFile, "restore", mf, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after the restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640)
	})

	t.Run("tampered", func(t *testing.T) {
		var raw map[string]any
		must(t, json.Unmarshal(b.Data, &raw))
		evil := filepath.Join(dir, "elsewhere")
		raw["configs"].(map[string]any)["settings"] = map[string]string{"config_file": conf, "force": "no",
			"hook_binary": "/usr/bin/true; rm -rf /", "daemon_url": "javascript:alert(1)", "unknown": "x"}
		files := append(slices.Clone(m.Files), backupFile{"totalrec", "passwd", evil, ""})
		raw["files"] = files
		manifest, err := json.Marshal(raw)
		must(t, err)
		writeMode(t, filepath.Join(evil, "passwd"), "root::0:0::/:/bin/sh\n", 0o644)
		mf, tmp := stage(t, manifest, files)
		must(t, os.RemoveAll(evil))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "restore", mf, tmp)
		if got, want := settingsRows(t, dbFile, nil), map[string]string{"config_file": conf, "force": "no"}; !maps.Equal(got, want) {
			t.Errorf("settings after a tampered restore: %v, want %v", got, want)
		}
		if _, err := os.Stat(evil); !os.IsNotExist(err) {
			t.Errorf("the restore wrote outside Totalrec's configuration files: %v", err)
		}
		for _, want := range []string{"Setting hook_binary not restored", "Setting daemon_url not restored", "Setting unknown not restored", evil + "/passwd is not a Totalrec configuration file"} {
			logHas(t, r.Log, want)
		}
	})

	t.Run("legacy", func(t *testing.T) {
		// FreePBX 14's backup: its database (here as the SQLite the backup module
		// turns its dump into) and, when the administrator added it, /etc/totalrec.
		legacy := filepath.Join(t.TempDir(), "legacy.db")
		ldb, err := sql.Open("sqlite", legacy)
		must(t, err)
		_, err = ldb.Exec("CREATE TABLE totalrec_settings (keyword VARCHAR(50) NOT NULL PRIMARY KEY, value VARCHAR(255) NOT NULL DEFAULT '')")
		must(t, err)
		for k, v := range settings {
			_, err := ldb.Exec("INSERT INTO totalrec_settings VALUES (?, ?)", k, v)
			must(t, err)
		}
		must(t, ldb.Close())
		tmp := t.TempDir()
		writeMode(t, filepath.Join(tmp, conf), confBody, 0o644)
		must(t, os.RemoveAll(filepath.Dir(conf)))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "legacy", legacy, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after a legacy restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640) // no mode in a legacy backup: the config's own
		if _, err := os.Stat(policy); !os.IsNotExist(err) {
			t.Errorf("retention.conf, not in the backup, exists: %v", err)
		}
		logHas(t, r.Log, "Restored "+conf)

		// A backup of a FreePBX without the module: the defaults.
		empty := filepath.Join(t.TempDir(), "legacy.db")
		r = backupStep(t, dbFile, "legacy", empty, t.TempDir())
		if got := settingsRows(t, dbFile, nil); len(got) != 0 {
			t.Errorf("settings after a legacy restore without the module: %v", got)
		}
		logHas(t, r.Log, "no Totalrec settings")
	})
}
