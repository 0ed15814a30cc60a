package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"sync"
	"time"
)

// How often a replica waiting for a lock tries again, and how often the
// holder checks that its connection (and so its lock) is alive.
const (
	lockRetry = time.Second
	lockCheck = 2 * time.Second
)

// Lock implements chat.Locks. On PostgreSQL it is a session advisory lock
// on a connection of its own: when the holder dies, even by kill -9, the
// server ends its session and the lock is free at once; a waiting replica
// tries every second. On SQLite (one process) it is a lock in memory.
func (s *Store) Lock(ctx context.Context, name string, waiting func()) (<-chan struct{}, func(), error) {
	if !s.postgres {
		return s.localLock(ctx, name, waiting)
	}
	sum := sha256.Sum256([]byte("helpdesk-bot lock\x00" + name))
	id := int64(binary.BigEndian.Uint64(sum[:8]))
	told := false
	for {
		if lost, release, err := s.tryLock(ctx, id); err == nil && release != nil {
			return lost, release, nil
		}
		if !told {
			told = true
			waiting()
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(lockRetry):
		}
	}
}

// take takes the advisory lock id on a connection of its own; it returns a
// nil conn (and no error) when another session holds it.
func (s *Store) take(ctx context.Context, id int64) (*sql.Conn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&got); err != nil || !got {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// drop gives up the lock id held on conn and returns conn to the pool; a
// connection that may still hold it is closed instead (the server then
// frees the lock).
func drop(conn *sql.Conn, id int64) {
	uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, id); err != nil {
		conn.Raw(func(dc any) error {
			if c, ok := dc.(interface{ Close() error }); ok {
				c.Close()
			}
			return driver.ErrBadConn
		})
	}
	conn.Close()
}

// tryLock takes the lock id, or returns a nil release when another session
// holds it. While held, its connection is checked every lockCheck; a
// broken one (the server restarted, the network failed) does not end the
// hold by itself: the lock is taken again on a new connection as soon as
// the server answers, and lost is closed only if another replica took it
// meanwhile. A PostgreSQL outage thus never silences the holder.
func (s *Store) tryLock(ctx context.Context, id int64) (<-chan struct{}, func(), error) {
	conn, err := s.take(ctx, id)
	if err != nil || conn == nil {
		return nil, nil, err
	}
	lost, stop := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex // guards conn, which the watcher replaces
	var watching sync.WaitGroup
	watching.Go(func() {
		t := time.NewTicker(lockCheck)
		defer t.Stop()
		broken := false
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			cctx, cancel := context.WithTimeout(context.Background(), lockCheck)
			mu.Lock()
			if !broken {
				if err := conn.PingContext(cctx); err != nil {
					broken = true
					conn.Close()
				}
			}
			if broken {
				switch again, err := s.take(cctx, id); {
				case err != nil: // the server does not answer yet: hold on
				case again == nil: // another replica holds it now
					mu.Unlock()
					cancel()
					close(lost)
					return
				default:
					conn, broken = again, false
				}
			}
			mu.Unlock()
			cancel()
		}
	})
	var release func()
	release = sync.OnceFunc(func() {
		s.locksMu.Lock()
		delete(s.held, &release)
		s.locksMu.Unlock()
		close(stop)
		watching.Wait()
		select {
		case <-lost:
			return // the watcher has no connection left
		default:
		}
		drop(conn, id)
	})
	s.locksMu.Lock()
	if s.held == nil {
		s.held = map[*func()]bool{}
	}
	s.held[&release] = true
	s.locksMu.Unlock()
	return lost, release, nil
}

// localLock is Lock within one process.
func (s *Store) localLock(ctx context.Context, name string, waiting func()) (<-chan struct{}, func(), error) {
	s.locksMu.Lock()
	if s.locks == nil {
		s.locks = map[string]chan struct{}{}
	}
	l, ok := s.locks[name]
	if !ok {
		l = make(chan struct{}, 1)
		s.locks[name] = l
	}
	s.locksMu.Unlock()
	select {
	case l <- struct{}{}:
	default:
		waiting()
		select {
		case l <- struct{}{}:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	return nil, sync.OnceFunc(func() { <-l }), nil
}
