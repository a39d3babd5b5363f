package catalog

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestDirFilesAndMarkMissing(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		other := rec("2026/11/26/a.wav", 9)
		other.Node = "pbx2"
		mustUpsert(t, c, rec("root.wav", 0), rec("2026/11/26/a.wav", 1), rec("2026/11/26/b.WAV", 2),
			rec("2026/11/26/sub/c.wav", 3), rec("2026/11/2/d.wav", 4), other)

		day, err := c.DirFiles(ctx, "", "2026/11/26")
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(maps.Keys(day)); !slices.Equal(got, []string{"a.wav", "b.WAV"}) {
			t.Fatalf("day dir files = %q", got)
		}
		a := mustGet(t, c, "2026/11/26/a.wav")
		if f := day["a.wav"]; f.ID != a.ID || f.Size != a.Size || !f.ModTime.Equal(a.ModTime) || f.State != recordings.StateOK {
			t.Errorf("FileStat = %+v, recording %+v", f, a)
		}
		root, err := c.DirFiles(ctx, "", "")
		if err != nil || len(root) != 1 || root["root.wav"].ID == 0 {
			t.Fatalf("root files = %v, %v", root, err)
		}
		if none, err := c.DirFiles(ctx, "", "2026/11/2%"); err != nil || len(none) != 0 {
			t.Errorf("DirFiles with %% = %v, %v", none, err)
		}
		if files, err := c.DirFiles(ctx, "pbx2", "2026/11/26"); err != nil || len(files) != 1 {
			t.Errorf("other node's dir = %v, %v", files, err)
		}

		if err := c.MarkMissing(ctx, []int64{a.ID, day["b.WAV"].ID}, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		day, _ = c.DirFiles(ctx, "", "2026/11/26")
		if day["a.wav"].State != recordings.StateMissing || day["b.WAV"].State != recordings.StateMissing {
			t.Errorf("after MarkMissing: %+v", day)
		}
		if page, _ := c.Search(ctx, recordings.Query{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}); page.Total != 0 {
			t.Errorf("missing recordings still listed: %d", page.Total)
		}
		if err := c.MarkMissing(ctx, nil, t0); err != nil {
			t.Errorf("MarkMissing(nil): %v", err)
		}
		many := make([]int64, 1200) // more than one statement's worth
		for i := range many {
			many[i] = int64(i + 1)
		}
		if err := c.MarkMissing(ctx, many, t0); err != nil {
			t.Errorf("MarkMissing(1200 ids): %v", err)
		}
	})
}

func TestDirMarks(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		marks := []recordings.DirMark{
			{Path: "", ModTime: t0, Files: 1, Fingerprint: "r"},
			{Path: "2026/11/26", ModTime: t0.Add(time.Second), Files: 1200, Fingerprint: "sha256:abc"},
			{Path: "2026/11/25", ModTime: t0.Add(time.Microsecond), Files: 0},
		}
		if err := c.SaveDirs(ctx, "", marks); err != nil {
			t.Fatal(err)
		}
		if err := c.SaveDirs(ctx, "pbx2", marks[:1]); err != nil {
			t.Fatal(err)
		}
		got, err := c.Dirs(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]recordings.DirMark{}
		for _, m := range marks {
			want[m.Path] = m
		}
		if !maps.EqualFunc(got, want, func(a, b recordings.DirMark) bool {
			return a.Path == b.Path && a.ModTime.Equal(b.ModTime) && a.Files == b.Files && a.Fingerprint == b.Fingerprint
		}) {
			t.Fatalf("Dirs = %+v\nwant %+v", got, want)
		}

		marks[1].Files, marks[1].Fingerprint = 1201, "sha256:def"
		if err := c.SaveDirs(ctx, "", marks[1:2]); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteDirs(ctx, "", []string{"2026/11/25", "never/saved"}); err != nil {
			t.Fatal(err)
		}
		got, _ = c.Dirs(ctx, "")
		if len(got) != 2 || got["2026/11/26"].Files != 1201 || got["2026/11/26"].Fingerprint != "sha256:def" {
			t.Fatalf("after replace and delete: %+v", got)
		}
		if other, _ := c.Dirs(ctx, "pbx2"); len(other) != 1 {
			t.Errorf("other node's marks: %+v", other)
		}
		if err := c.SaveDirs(ctx, "", []recordings.DirMark{{Path: "../etc"}}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("SaveDirs(../etc) = %v, want ErrInvalid", err)
		}
	})
}
