package host_test

import (
	"context"
	"testing"

	"github.com/seclabel/seclabel/host"
	"github.com/seclabel/seclabel/internal/golden"
)

func TestGolden(t *testing.T) {
	h, err := host.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	golden.Run(t, "host", h)
}
