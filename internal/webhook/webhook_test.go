package webhook

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// readCounter fails the test if the guard reads a body it should have
// refused on its headers.
type readCounter struct {
	t    *testing.T
	read bool
	r    io.Reader
}

func (c *readCounter) Read(p []byte) (int, error) { c.read = true; return c.r.Read(p) }

func TestGuard(t *testing.T) {
	var reasons []string
	g := Guard{
		Check: func(r *http.Request) string {
			if r.Header.Get("Sig") == "" {
				return "unsigned"
			}
			return ""
		},
		Verify: func(h http.Header, body []byte) string {
			if h.Get("Sig") != "ok:"+string(body) {
				return "bad signature"
			}
			return ""
		},
		MaxBody:    16,
		OnRejected: func(reason string) { reasons = append(reasons, reason) },
		Log:        slog.New(slog.DiscardHandler),
	}
	var got string
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
	}))
	tests := []struct {
		name, sig, body string
		code            int
		reason          string
		bodyRead        bool
	}{
		{"signed", "ok:hello", "hello", http.StatusOK, "", true},
		{"unsigned: the body is never read", "", "hello", http.StatusUnauthorized, "unsigned", false},
		{"a wrong signature", "ok:other", "hello", http.StatusUnauthorized, "bad signature", true},
		{"too large", "ok:x", strings.Repeat("x", 17), http.StatusRequestEntityTooLarge, "body unreadable, too slow or too large", true},
	}
	for _, tt := range tests {
		reasons, got = nil, ""
		body := &readCounter{t: t, r: strings.NewReader(tt.body)}
		r := httptest.NewRequest("POST", "/hook", body)
		if tt.sig != "" {
			r.Header.Set("Sig", tt.sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.code || body.read != tt.bodyRead {
			t.Errorf("%s: %d, body read %v; want %d, %v", tt.name, w.Code, body.read, tt.code, tt.bodyRead)
		}
		if tt.reason == "" && (got != tt.body || reasons != nil) || tt.reason != "" && (len(reasons) != 1 || reasons[0] != tt.reason || got != "") {
			t.Errorf("%s: handler saw %q, rejections %v; want %q", tt.name, got, reasons, tt.reason)
		}
	}
}

// Beyond MaxReaders bodies being read at once, a request gets 503 and a
// Retry-After, without waiting.
func TestGuardBusy(t *testing.T) {
	release := make(chan struct{})
	reading := make(chan struct{}, 1)
	g := Guard{Check: func(*http.Request) string { return "" }, Verify: func(http.Header, []byte) string { return "" }, MaxReaders: 1, Log: slog.New(slog.DiscardHandler)}
	h := g.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	slow := io.MultiReader(readerFunc(func(p []byte) (int, error) { reading <- struct{}{}; <-release; return 0, io.EOF }))
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/hook", slow))
		close(done)
	}()
	<-reading
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/hook", strings.NewReader("x")))
	close(release)
	<-done
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("a second reader: %d, Retry-After %q; want 503 with a Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
