package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Timeouts bound a connection's life; zero fields take the defaults named.
type Timeouts struct {
	ReadHeader time.Duration // reading the request line and headers (10 s)
	Read       time.Duration // reading a whole request, body included (60 s)
	Write      time.Duration // from the end of the headers to the end of the response (120 s)
	Idle       time.Duration // a kept-alive connection waiting for its next request (120 s)
	Drain      time.Duration // on shutdown, how long requests in flight may finish (30 s)
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ReadHeader, 10*time.Second)
	def(&t.Read, 60*time.Second)
	def(&t.Write, 120*time.Second)
	def(&t.Idle, 120*time.Second)
	def(&t.Drain, 30*time.Second)
	return t
}

// Serve serves h on ln until ctx is done, then stops taking connections,
// lets the requests in flight finish (up to Timeouts.Drain) and returns.
// It returns nil after a clean drain.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts) error {
	t = t.withDefaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	drain, cancel := context.WithTimeout(context.Background(), t.Drain)
	defer cancel()
	err := srv.Shutdown(drain)
	if err != nil {
		err = fmt.Errorf("requests still running after %s were cut off: %w", t.Drain, err)
		srv.Close()
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
