package main

import (
	"strings"
	"testing"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// TestCLI_DoctorBufferPool: on MariaDB doctor compares the buffer pool with the
// catalogue's number keys and indexes; on SQLite it has nothing to say about it.
func TestCLI_DoctorBufferPool(t *testing.T) {
	spoolDir, _, _ := hookFixture(t)
	dsn := mariadb.NewDatabase(t, "totalrec_doctor_test")
	env := []string{"TOTALREC_DB=" + dsn, "TOTALREC_SPOOL=" + spoolDir}
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)
	out := cli(t, env, "doctor").must(t, exitOK).stdout
	if !strings.Contains(out, "buffer pool") || !strings.Contains(out, "innodb_buffer_pool_size") {
		t.Errorf("doctor on MariaDB does not judge the buffer pool:\n%s", out)
	}

	_, dataDir, _ := hookFixture(t)
	env = []string{"TOTALREC_DATA_DIR=" + dataDir, "TOTALREC_SPOOL=" + spoolDir}
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)
	if out := cli(t, env, "doctor").must(t, exitOK).stdout; strings.Contains(out, "buffer pool") {
		t.Errorf("doctor on SQLite judges a buffer pool:\n%s", out)
	}
}

// TestCacheFitAdvice: far below is under half the working set; the size to set
// is the working set in MariaDB's 128 MiB units.
func TestCacheFitAdvice(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		pool, set int64
		short     bool
		suggest   int64
	}{
		{128 * mib, 10 * mib, false, 128 * mib},
		{128 * mib, 256 * mib, false, 256 * mib},
		{128 * mib, 257 * mib, true, 384 * mib},
		{128 * mib, 7800 * mib, true, 7808 * mib},
		{8192 * mib, 7800 * mib, false, 7808 * mib},
	} {
		short, suggest := catalog.CacheFit{BufferPool: c.pool, WorkingSet: c.set}.Advice()
		if short != c.short || suggest != c.suggest {
			t.Errorf("pool %d MiB, set %d MiB: short %v, suggest %d MiB; want %v, %d MiB",
				c.pool/mib, c.set/mib, short, suggest/mib, c.short, c.suggest/mib)
		}
	}
}
