// Command benchdb creates and drops the benchmark databases on a MariaDB server and
// describes the server, so that bench/run needs no mysql client.
//
//	benchdb -dsn DSN create NAME   creates NAME and prints a DSN naming it
//	benchdb -dsn DSN drop NAME...  drops the databases (missing ones are fine)
//	benchdb -dsn DSN describe      prints the server version and InnoDB settings
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

func main() {
	dsn := flag.String("dsn", "root@tcp(127.0.0.1:3306)/", "MariaDB DSN without a database")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*dsn, args[0], args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdb:", err)
		os.Exit(1)
	}
}

func run(dsn, cmd string, names []string) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return err
	}
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "`./\\ ") {
			return fmt.Errorf("database name %q", n)
		}
	}
	switch cmd {
	case "create":
		if len(names) != 1 {
			return fmt.Errorf("create takes one name")
		}
		if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+names[0]+"`"); err != nil {
			return err
		}
		cfg.DBName = names[0]
		fmt.Println(cfg.FormatDSN())
	case "drop":
		for _, n := range names {
			if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+n+"`"); err != nil {
				return err
			}
		}
	case "describe":
		var version, bp, flush, dw string
		err := db.QueryRowContext(ctx, `SELECT VERSION(), @@innodb_buffer_pool_size,
			@@innodb_flush_log_at_trx_commit, @@innodb_doublewrite`).Scan(&version, &bp, &flush, &dw)
		if err != nil {
			return err
		}
		fmt.Printf("MariaDB %s, innodb_buffer_pool_size=%s, innodb_flush_log_at_trx_commit=%s, innodb_doublewrite=%s\n",
			version, bp, flush, dw)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}
