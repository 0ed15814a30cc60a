// Package store keeps what FAQ maintainers learn from: "was this helpful?"
// votes and the questions the bot could not answer directly. It runs on an
// embedded SQLite file by default (modernc.org/sqlite, pure Go, no server)
// or on PostgreSQL (github.com/jackc/pgx/v5) when several replicas share it.
// Schema migrations are applied when it opens.
//
// Privacy by design: people are identified only by a keyed hash (HMAC-SHA256)
// of their platform id, which lets a person's rows be erased on request
// without keeping who they are; rows older than the retention are purged.
package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Store is a connection to the database. It is safe for concurrent use and
// implements chat.Recorder.
type Store struct {
	db       *sql.DB
	postgres bool
	key      []byte
	now      func() time.Time

	// threadsSwept and sessionsSwept are when this process last deleted
	// the conversations past their idle time and the expired sessions
	// (Unix milliseconds; see sweep).
	threadsSwept, sessionsSwept atomic.Int64

	locksMu sync.Mutex
	locks   map[string]chan struct{} // SQLite's locks (one process)
	held    map[*func()]bool         // PostgreSQL's locks held, released by Close
}

// maxConns bounds the connections a replica opens to PostgreSQL; one of
// them holds the Discord gateway's lock when this replica holds it.
const maxConns = 16

// Options tune Open.
type Options struct {
	// HashKey keys the hash of user ids. Empty: a random key is generated
	// once and kept in the database (shared by replicas on PostgreSQL).
	HashKey []byte
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn, a PostgreSQL URL or the path of a
// SQLite file (created with its folder if missing), and migrates it.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s := &Store{postgres: IsPostgres(dsn), now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.postgres {
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			// A bounded pool: a burst of questions waits for a connection
			// instead of opening more than PostgreSQL accepts (100 by
			// default, shared by every replica).
			s.db.SetMaxOpenConns(maxConns)
			s.db.SetMaxIdleConns(maxConns)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: create %s: %w", dir, err)
			}
		}
		// WAL lets the report read while the bot writes; the busy timeout
		// makes writers wait for each other instead of failing.
		s.db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err == nil {
			s.db.SetMaxOpenConns(4)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.db.PingContext(pingCtx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	s.key = opt.HashKey
	if len(s.key) == 0 {
		if s.key, err = s.storedKey(ctx); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close releases the locks held and closes the database.
func (s *Store) Close() error {
	s.locksMu.Lock()
	held := s.held
	s.held = nil
	s.locksMu.Unlock()
	for release := range held {
		(*release)()
	}
	return s.db.Close()
}

// migrations are applied in order, each once; never edit a released one,
// add the next.
var migrations = []string{
	// 1: votes, unanswered questions, settings.
	`CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE votes (
		id {{id}},
		at BIGINT NOT NULL,
		platform TEXT NOT NULL,
		entry TEXT NOT NULL,
		lang TEXT NOT NULL,
		helpful BOOLEAN NOT NULL,
		user_hash TEXT NOT NULL
	);
	CREATE INDEX votes_at ON votes (at);
	CREATE INDEX votes_user ON votes (user_hash);
	CREATE TABLE unanswered (
		id {{id}},
		at BIGINT NOT NULL,
		platform TEXT NOT NULL,
		lang TEXT NOT NULL,
		outcome TEXT NOT NULL,
		question TEXT NOT NULL,
		closest TEXT NOT NULL,
		confidence DOUBLE PRECISION NOT NULL,
		user_hash TEXT NOT NULL
	);
	CREATE INDEX unanswered_at ON unanswered (at);
	CREATE INDEX unanswered_user ON unanswered (user_hash)`,
	// 2: claims, so that replicas sharing the database answer each event,
	// vote and call for a person once.
	`CREATE TABLE claims (key TEXT PRIMARY KEY, expires BIGINT NOT NULL);
	CREATE INDEX claims_expires ON claims (expires)`,
	// 3: the inbox, which keeps each question acknowledged to its platform
	// until it is answered, leased to the replica answering it; and the
	// flood limits that replicas share (the theoretical arrival time of the
	// next event of each limited key, GCRA).
	`CREATE TABLE inbox (
		key TEXT PRIMARY KEY,
		platform TEXT NOT NULL,
		at BIGINT NOT NULL,
		owner TEXT NOT NULL,
		lease BIGINT NOT NULL,
		parcel TEXT NOT NULL
	);
	CREATE INDEX inbox_lease ON inbox (platform, lease);
	CREATE INDEX inbox_owner ON inbox (owner);
	CREATE TABLE rates (key TEXT PRIMARY KEY, tat BIGINT NOT NULL)`,
	// 4: the console's audit log: who viewed staff's questions, downloaded
	// or erased, and when.
	`CREATE TABLE audit (
		id {{id}},
		at BIGINT NOT NULL,
		who TEXT NOT NULL,
		what TEXT NOT NULL
	);
	CREATE INDEX audit_at ON audit (at)`,
	// 5: the console's sessions, shared by the replicas (by a hash of their
	// token: the token itself is never stored).
	`CREATE TABLE sessions (token TEXT PRIMARY KEY, data {{blob}} NOT NULL, expiry BIGINT NOT NULL);
	CREATE INDEX sessions_expiry ON sessions (expiry)`,
	// 6: the memory of conversations (chat.Memory: entry ids, language,
	// counts; no text, no name), by a keyed hash of the platform's ids of
	// the conversation, with a keyed hash of who started it; forgotten
	// after its idle time (expires).
	`CREATE TABLE threads (
		key TEXT PRIMARY KEY,
		user_hash TEXT NOT NULL,
		at BIGINT NOT NULL,
		expires BIGINT NOT NULL,
		memory TEXT NOT NULL
	);
	CREATE INDEX threads_expires ON threads (expires);
	CREATE INDEX threads_user ON threads (user_hash)`,
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.postgres {
		// Replicas starting together migrate one at a time.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(724300117)`); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("store: the database has schema version %d, newer than this bot knows (%d): run a newer bot", version, len(migrations))
	}
	id, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	if s.postgres {
		id, blob = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	for v := version + 1; v <= len(migrations); v++ {
		for _, stmt := range strings.Split(strings.NewReplacer("{{id}}", id, "{{blob}}", blob).Replace(migrations[v-1]), ";\n") {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("store: migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, s.now().Unix()); err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}

// storedKey returns the hash key kept in the database, creating it once.
func (s *Store) storedKey(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('user_hash_key', $1) ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(fresh)); err != nil {
		return nil, fmt.Errorf("store: hash key: %w", err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'user_hash_key'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: hash key: %w", err)
	}
	return hex.DecodeString(v)
}

// UserHash is the keyed hash stored instead of a platform user id.
func (s *Store) UserHash(platform, user string) string {
	if user == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(platform + "\x00" + user))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// RecordVote implements chat.Recorder.
func (s *Store) RecordVote(ctx context.Context, v chat.Vote) error {
	at := v.At
	if at.IsZero() {
		at = s.now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO votes (at, platform, entry, lang, helpful, user_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
		at.Unix(), v.Platform, v.Entry, v.Lang, v.Helpful, s.UserHash(v.Platform, v.User))
	if err != nil {
		return fmt.Errorf("store: record vote: %w", err)
	}
	return nil
}

// RecordUnanswered implements chat.Recorder.
func (s *Store) RecordUnanswered(ctx context.Context, u chat.Unanswered) error {
	at := u.At
	if at.IsZero() {
		at = s.now()
	}
	// Whoever recorded it, nothing that might be a credential is kept.
	q := intents.Cut(intents.MaskSecrets(strings.ToValidUTF8(u.Question, "")), chat.MaxStoredQuestion)
	_, err := s.db.ExecContext(ctx, `INSERT INTO unanswered (at, platform, lang, outcome, question, closest, confidence, user_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		at.Unix(), u.Platform, u.Lang, string(u.Outcome), q, u.Closest, u.Confidence, s.UserHash(u.Platform, u.User))
	if err != nil {
		return fmt.Errorf("store: record question: %w", err)
	}
	return nil
}

// Claim implements chat.Claims: it reports whether this process is the
// first, among all those sharing the database, to claim key (an event, a
// vote, a call for a person) in the last ttl. One statement, atomic on
// SQLite and PostgreSQL alike: a claim inserted, or an expired one taken
// over. Only a keyed hash of the key is kept (it may name a person).
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO claims (key, expires) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE claims.expires < $3`,
		s.claimKey(key), now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("store: claim: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Release implements chat.Claims: it gives up a claim on work that was not
// taken after all, so that the platform's next delivery of it is handled.
func (s *Store) Release(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM claims WHERE key = $1`, s.claimKey(key)); err != nil {
		return fmt.Errorf("store: release: %w", err)
	}
	return nil
}

func (s *Store) claimKey(key string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("claim\x00" + key))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Keep implements chat.Inbox: it writes a question acknowledged and not
// answered yet, leased to owner. Its text is already masked when it held a
// secret; the row lives minutes (until Done, or until it is too old for a
// late answer).
func (s *Store) Keep(ctx context.Context, p chat.Parcel, owner string, lease time.Duration) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: keep: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO inbox (key, platform, at, owner, lease, parcel) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
		s.inboxKey(p.Platform, p.Key), p.Platform, p.At.UnixMilli(), owner, s.now().Add(lease).UnixMilli(), string(body))
	if err != nil {
		return fmt.Errorf("store: keep: %w", err)
	}
	return nil
}

// Done implements chat.Inbox: the question is answered.
func (s *Store) Done(ctx context.Context, platform, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM inbox WHERE key = $1`, s.inboxKey(platform, key)); err != nil {
		return fmt.Errorf("store: done: %w", err)
	}
	return nil
}

// Renew implements chat.Inbox: owner is alive and still answering.
func (s *Store) Renew(ctx context.Context, owner string, lease time.Duration) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE inbox SET lease = $1 WHERE owner = $2`, s.now().Add(lease).UnixMilli(), owner); err != nil {
		return fmt.Errorf("store: renew: %w", err)
	}
	return nil
}

// Orphans implements chat.Inbox. Taking a parcel over is one statement that
// re-checks the lease of each row it updates: on PostgreSQL, of two replicas
// sweeping at once, the second finds the row renewed and skips it.
func (s *Store) Orphans(ctx context.Context, platform, owner string, lease, fresh time.Duration, max int) ([]chat.Parcel, int, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `DELETE FROM inbox WHERE platform = $1 AND lease < $2 AND at < $3`, platform, now.UnixMilli(), now.Add(-fresh).UnixMilli())
	if err != nil {
		return nil, 0, fmt.Errorf("store: orphans: %w", err)
	}
	stale, _ := res.RowsAffected()
	rows, err := s.db.QueryContext(ctx, `UPDATE inbox SET owner = $1, lease = $2
		WHERE key IN (SELECT key FROM inbox WHERE platform = $3 AND lease < $4 AND owner <> $1 ORDER BY at LIMIT $5) AND lease < $4
		RETURNING parcel`, owner, now.Add(lease).UnixMilli(), platform, now.UnixMilli(), max)
	if err != nil {
		return nil, int(stale), fmt.Errorf("store: orphans: %w", err)
	}
	defer rows.Close()
	var out []chat.Parcel
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return out, int(stale), fmt.Errorf("store: orphans: %w", err)
		}
		var p chat.Parcel
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			continue // not this version's: nothing to answer with
		}
		out = append(out, p)
	}
	return out, int(stale), rows.Err()
}

func (s *Store) inboxKey(platform, key string) string {
	return s.claimKey("inbox\x00" + platform + ":" + key)
}

// Allow implements chat.Rates, the flood limits replicas share: the
// generic cell rate algorithm, one row per limited key holding when its
// next event is due (tat). An event is within the limit when, counted, it
// leaves tat no further ahead than burst intervals; the count and the check
// are one atomic statement. Keys are kept hashed (they name people).
func (s *Store) Allow(ctx context.Context, key string, every time.Duration, burst int) (bool, error) {
	now, t := s.now().UnixMilli(), every.Milliseconds()
	greatest := "MAX" // SQLite's two-argument MAX is PostgreSQL's GREATEST
	if s.postgres {
		greatest = "GREATEST"
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO rates (key, tat) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET tat = `+greatest+`(rates.tat, $3) + $4
		WHERE `+greatest+`(rates.tat, $3) + $4 - $3 <= $5`,
		s.claimKey("rate\x00"+key), now+t, now, t, int64(burst)*t)
	if err != nil {
		return false, fmt.Errorf("store: flood limit: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Purge deletes every row recorded before the given time, every expired
// claim and flood limit, and the inbox's rows older than a day (no late
// answer is that late), and returns how many rows of votes and questions:
// the retention limit, enforced daily.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	now := s.now()
	for _, q := range []struct {
		stmt string
		arg  int64
	}{
		{`DELETE FROM claims WHERE expires < $1`, now.UnixMilli()},
		{`DELETE FROM rates WHERE tat < $1`, now.UnixMilli()},
		{`DELETE FROM inbox WHERE at < $1`, now.Add(-24 * time.Hour).UnixMilli()},
		{`DELETE FROM sessions WHERE expiry < $1`, now.UnixMilli()},
		{`DELETE FROM threads WHERE expires < $1`, now.UnixMilli()},
	} {
		if _, err := s.db.ExecContext(ctx, q.stmt, q.arg); err != nil {
			return 0, fmt.Errorf("store: purge: %w", err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit WHERE at < $1`, before.Unix()); err != nil {
		return 0, fmt.Errorf("store: purge audit: %w", err)
	}
	return s.delete(ctx, "at < $1", before.Unix())
}

// Audit records that who (a person signed in to the console) did what
// (viewed the unanswered questions, erased a person's data...). The audit
// log is kept as long as the rest, RETENTION_DAYS.
func (s *Store) Audit(ctx context.Context, who, what string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO audit (at, who, what) VALUES ($1, $2, $3)`, s.now().Unix(), who, what); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// Sessions are the console's sessions in the store (an scs.Store), so that
// every replica knows who is signed in.
func (s *Store) Sessions() Sessions { return Sessions{s} }

// Sessions implements scs.Store on the store.
type Sessions struct{ s *Store }

func (ss Sessions) key(token string) string {
	sum := sha256.Sum256([]byte("session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// Find implements scs.Store.
func (ss Sessions) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := ss.s.db.QueryRow(`SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, ss.key(token), ss.s.now().UnixMilli()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: session: %w", err)
	}
	return b, true, nil
}

// Commit implements scs.Store.
func (ss Sessions) Commit(token string, b []byte, expiry time.Time) error {
	_, err := ss.s.db.Exec(`INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, ss.key(token), b, expiry.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: session: %w", err)
	}
	// Expired sessions go as they expire, not only at the daily purge.
	if err := ss.s.sweep(context.Background(), &ss.s.sessionsSwept, `DELETE FROM sessions WHERE expiry < $1`); err != nil {
		return fmt.Errorf("store: forget expired sessions: %w", err)
	}
	return nil
}

// sweep runs a deletion of what expired before now ($1, in Unix
// milliseconds), at most once a minute per process (last holds when it
// last ran): writers call it, so that expired rows go as they expire.
func (s *Store) sweep(ctx context.Context, last *atomic.Int64, stmt string) error {
	now := s.now().UnixMilli()
	if prev := last.Load(); now-prev < time.Minute.Milliseconds() || !last.CompareAndSwap(prev, now) {
		return nil
	}
	_, err := s.db.ExecContext(ctx, stmt, now)
	return err
}

// Delete implements scs.Store.
func (ss Sessions) Delete(token string) error {
	if _, err := ss.s.db.Exec(`DELETE FROM sessions WHERE token = $1`, ss.key(token)); err != nil {
		return fmt.Errorf("store: session: %w", err)
	}
	return nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At        time.Time
	Who, What string
}

// AuditLog returns the audit log since a time, oldest first.
func (s *Store) AuditLog(ctx context.Context, since time.Time) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, who, what FROM audit WHERE at >= $1 ORDER BY at, id`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Who, &e.What); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At = time.Unix(at, 0)
		out = append(out, e)
	}
	return out, rows.Err()
}

// EraseUser deletes every row of one person (a request to be forgotten).
func (s *Store) EraseUser(ctx context.Context, platform, user string) (int64, error) {
	if user == "" {
		return 0, errors.New("store: erase: no user given")
	}
	return s.delete(ctx, "user_hash = $1", s.UserHash(platform, user))
}

// EraseAll deletes every vote and question.
func (s *Store) EraseAll(ctx context.Context) (int64, error) {
	return s.delete(ctx, "1 = 1")
}

func (s *Store) delete(ctx context.Context, where string, args ...any) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: delete: %w", err)
	}
	defer tx.Rollback()
	var n int64
	for _, table := range []string{"votes", "unanswered", "threads"} {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE "+where, args...)
		if err != nil {
			return 0, fmt.Errorf("store: delete from %s: %w", table, err)
		}
		if table != "threads" { // what a conversation remembers is no record: not counted
			k, _ := res.RowsAffected()
			n += k
		}
	}
	return n, tx.Commit()
}

// Question is an unanswered question as stored.
type Question struct {
	At         time.Time
	Platform   string
	Lang       string
	Outcome    intents.Outcome
	Text       string
	Closest    string
	Confidence float64
}

// Questions returns the unanswered questions recorded since a time, oldest
// first.
func (s *Store) Questions(ctx context.Context, since time.Time) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, platform, lang, outcome, question, closest, confidence FROM unanswered WHERE at >= $1 ORDER BY at, id`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var q Question
		var at int64
		var outcome string
		if err := rows.Scan(&at, &q.Platform, &q.Lang, &outcome, &q.Text, &q.Closest, &q.Confidence); err != nil {
			return nil, fmt.Errorf("store: questions: %w", err)
		}
		q.At, q.Outcome = time.Unix(at, 0), intents.Outcome(outcome)
		out = append(out, q)
	}
	return out, rows.Err()
}

// Tally is the votes on one entry.
type Tally struct {
	Entry    string
	Up, Down int
}

// Votes returns the votes since a time, by entry.
func (s *Store) Votes(ctx context.Context, since time.Time) ([]Tally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry,
		SUM(CASE WHEN helpful THEN 1 ELSE 0 END), SUM(CASE WHEN helpful THEN 0 ELSE 1 END)
		FROM votes WHERE at >= $1 GROUP BY entry ORDER BY entry`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: votes: %w", err)
	}
	defer rows.Close()
	var out []Tally
	for rows.Next() {
		var t Tally
		if err := rows.Scan(&t.Entry, &t.Up, &t.Down); err != nil {
			return nil, fmt.Errorf("store: votes: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Counts returns how many votes and questions are stored.
func (s *Store) Counts(ctx context.Context) (votes, questions int64, err error) {
	if err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM votes`).Scan(&votes); err != nil {
		return 0, 0, fmt.Errorf("store: count: %w", err)
	}
	if err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM unanswered`).Scan(&questions); err != nil {
		return 0, 0, fmt.Errorf("store: count: %w", err)
	}
	return votes, questions, nil
}

// Recall implements chat.Threads.
func (s *Store) Recall(ctx context.Context, key, user string) (chat.Memory, bool, error) {
	var mem, starter string
	err := s.db.QueryRowContext(ctx, `SELECT memory, user_hash FROM threads WHERE key = $1 AND expires > $2`, s.threadKey(key), s.now().UnixMilli()).Scan(&mem, &starter)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Memory{}, false, nil
	}
	if err != nil {
		return chat.Memory{}, false, fmt.Errorf("store: recall a conversation: %w", err)
	}
	var m chat.Memory
	if err := json.Unmarshal([]byte(mem), &m); err != nil {
		return chat.Memory{}, false, fmt.Errorf("store: recall a conversation: %w", err)
	}
	m.Starter = starter == s.threadUser(key, user)
	return m, true, nil
}

// Remember implements chat.Threads. Who started a conversation is kept
// from its first message; past their idle time, conversations are deleted
// (here at most once a minute, and by the daily purge).
func (s *Store) Remember(ctx context.Context, key, user string, m chat.Memory, idle time.Duration) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store: remember a conversation: %w", err)
	}
	now := s.now()
	_, err = s.db.ExecContext(ctx, `INSERT INTO threads (key, user_hash, at, expires, memory) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET at = excluded.at, expires = excluded.expires, memory = excluded.memory,
		user_hash = CASE WHEN threads.expires > $6 THEN threads.user_hash ELSE excluded.user_hash END`,
		s.threadKey(key), s.threadUser(key, user), now.Unix(), now.Add(idle).UnixMilli(), string(b), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: remember a conversation: %w", err)
	}
	if err := s.sweep(ctx, &s.threadsSwept, `DELETE FROM threads WHERE expires < $1`); err != nil {
		return fmt.Errorf("store: forget idle conversations: %w", err)
	}
	return nil
}

// threadUser is the hash of who started a conversation, as votes and
// questions keep it (the platform is the start of the conversation's key),
// so that `bot purge --user` erases their conversations too.
func (s *Store) threadUser(key, user string) string {
	platform, _, _ := strings.Cut(key, ":")
	return s.UserHash(platform, user)
}

// threadKey is the keyed hash under which a conversation is kept: its
// platform's ids are never stored.
func (s *Store) threadKey(key string) string { return s.claimKey("thread\x00" + key) }
