// Package storetest gives tests a fresh PostgreSQL database on the server
// .ci/run starts (TEST_DATABASE_URL).
package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

var seq atomic.Int64

// Postgres creates a database for one test, dropped at its end, and returns
// its URL. Without TEST_DATABASE_URL the test is skipped, saying so; under
// CI (CI=true) it fails instead, since .ci/run starts the server.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_DATABASE_URL not set under CI: .ci/run starts PostgreSQL and sets it")
		}
		t.Skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped (.ci/run starts a server and sets it)")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("helpdesk_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
