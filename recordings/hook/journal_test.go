package hook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestJournal(t *testing.T) {
	j := Journal{Dir: filepath.Join(t.TempDir(), "journal")}
	ctx := context.Background()
	// Concurrent hooks append whole lines.
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			must(t, j.Append(Entry{Path: filepath.Join("2026/11/26", string(rune('a'+i%26))+".wav"), At: time.Now()}))
		}(i)
	}
	wg.Wait()
	// A torn line, as a crash during a write leaves it.
	f, err := os.OpenFile(filepath.Join(j.Dir, "hook.jsonl"), os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	f.WriteString(`{"path":"2026/11/26/torn`)
	f.Close()

	// A handler that fails stops the drain; the entries stay for the next one.
	boom := errors.New("database away")
	calls := 0
	_, err = j.Drain(ctx, func(context.Context, Entry) error {
		calls++
		if calls == 10 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("drain with a failing handler: %v", err)
	}
	// Appends during or after a failed drain go to a fresh file and are not lost.
	must(t, j.Append(Entry{Path: "late.wav"}))
	var got []string
	rep, err := j.Drain(ctx, func(_ context.Context, e Entry) error { got = append(got, e.Path); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Done != 51 || rep.Skipped != 1 || got[len(got)-1] != "late.wav" {
		t.Errorf("second drain: %+v, last %q", rep, got[len(got)-1])
	}
	left, _ := filepath.Glob(filepath.Join(j.Dir, "*"))
	if len(left) != 0 {
		t.Errorf("journal files left after a full drain: %v", left)
	}
	if rep, err := j.Drain(ctx, func(context.Context, Entry) error { return nil }); err != nil || rep.Done != 0 {
		t.Errorf("drain of an empty journal: %+v, %v", rep, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
