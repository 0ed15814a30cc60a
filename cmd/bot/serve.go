package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/console"
	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
)

// secret reads a secret from the environment, or from the file named by
// NAME_FILE (Docker and systemd credentials). Secrets are never printed.
func secret(getenv env, name string) (string, error) {
	if v := getenv(name); v != "" {
		return strings.TrimSpace(v), nil
	}
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// list splits a comma-separated variable.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// newLogger logs JSON when stderr is not a terminal (a service's journal
// or a container), text for a person at a terminal. LOG_LEVEL=debug shows
// each reply's outcome; questions are never logged at info level.
func newLogger(getenv env, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	level.UnmarshalText([]byte(getenv("LOG_LEVEL")))
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, opts))
		}
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// adapter is a platform connection that runs until its context ends.
type adapter interface {
	Run(ctx context.Context) error
}

// serve runs every adapter whose credentials are set; with none, the console.
func serve(ctx context.Context, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	core, err := loadCore(getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(getenv, stderr)
	var adapters []adapter
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })

	slackToken, err := secret(getenv, "SLACK_BOT_TOKEN")
	if err != nil {
		return err
	}
	if slackToken != "" {
		appToken, err := secret(getenv, "SLACK_APP_TOKEN")
		if err != nil {
			return err
		}
		signing, err := secret(getenv, "SLACK_SIGNING_SECRET")
		if err != nil {
			return err
		}
		sa, err := slack.New(slack.Config{
			BotToken:      slackToken,
			AppToken:      appToken,
			SigningSecret: signing,
			APIURL:        getenv("SLACK_API_URL"),
			Channels:      list(getenv("SLACK_CHANNELS")),
			HelpdeskGroup: getenv("SLACK_HELPDESK_GROUP"),
			Logger:        log,
		}, core)
		if err != nil {
			return exitError{2, err.Error()}
		}
		if signing != "" {
			mux.Handle("/slack/", sa.Handler())
		}
		adapters = append(adapters, sa)
	}

	discordToken, err := secret(getenv, "DISCORD_BOT_TOKEN")
	if err != nil {
		return err
	}
	if discordToken != "" {
		da, err := discord.New(discord.Config{
			Token:        discordToken,
			APIURL:       getenv("DISCORD_API_URL"),
			Channels:     list(getenv("DISCORD_CHANNELS")),
			GuildID:      getenv("DISCORD_GUILD_ID"),
			HelpdeskRole: getenv("DISCORD_HELPDESK_ROLE"),
			Logger:       log,
		}, core)
		if err != nil {
			return exitError{2, err.Error()}
		}
		adapters = append(adapters, da)
	}

	if len(adapters) == 0 {
		interactive := false
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				interactive = true
			}
		}
		welcome := "Assistant de la messagerie académique (console). Posez votre question, en français ou en anglais ; Ctrl-D pour quitter.\n" +
			"Academy webmail assistant (console). Ask in French or English; Ctrl-D to quit."
		c := &console.Adapter{In: stdin, Out: stdout, Interactive: interactive, Welcome: welcome}
		return c.Run(ctx, core)
	}

	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	log.Info("listening", "addr", ln.Addr().String())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(adapters)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	})
	for _, a := range adapters {
		wg.Go(func() {
			if err := a.Run(ctx); err != nil {
				errc <- err
			}
		})
	}
	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing the replies in flight")
	case runErr = <-errc:
		log.Error("stopping", "err", runErr)
	}
	cancel()
	// Stop taking requests, but let those being served finish.
	shutCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	srv.Shutdown(shutCtx)
	wg.Wait()
	return runErr
}
