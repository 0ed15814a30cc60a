package store

import (
	"context"
	"crypto/sha256"
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

// tryLock takes the advisory lock id on a connection of its own, or returns
// a nil release when another session holds it.
func (s *Store) tryLock(ctx context.Context, id int64) (<-chan struct{}, func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&got); err != nil || !got {
		conn.Close()
		return nil, nil, err
	}
	lost, stop := make(chan struct{}), make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		t := time.NewTicker(lockCheck)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			pctx, cancel := context.WithTimeout(context.Background(), lockCheck)
			err := conn.PingContext(pctx)
			cancel()
			if err != nil {
				close(lost)
				return
			}
		}
	})
	var release func()
	release = sync.OnceFunc(func() {
		s.locksMu.Lock()
		delete(s.held, &release)
		s.locksMu.Unlock()
		close(stop)
		watching.Wait()
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, id); err != nil {
			// A connection that may still hold the lock never goes back to
			// the pool: close it, and the server frees the lock.
			conn.Raw(func(dc any) error {
				if c, ok := dc.(interface{ Close() error }); ok {
					c.Close()
				}
				return driver.ErrBadConn
			})
		}
		conn.Close()
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
