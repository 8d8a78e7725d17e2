package host

import (
	"context"

	"github.com/seclabel/seclabel/engine"
	"github.com/seclabel/seclabel/internal/jsonx"
)

var _ engine.Backend = (*Host)(nil)

// Label is engine.Engine.Label run in the module.
func (h *Host) Label(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.Call(ctx, "label", resource, nil)
}

// Redact is engine.Engine.Redact run in the module.
func (h *Host) Redact(ctx context.Context, resource []byte, access engine.AccessContext) (*engine.Result, error) {
	return h.Call(ctx, "redact", resource, &access)
}

// HWM is engine.Engine.HWM run in the module.
func (h *Host) HWM(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.Call(ctx, "hwm", resource, nil)
}

// Marks is engine.Engine.Marks run in the module.
func (h *Host) Marks(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.Call(ctx, "marks", resource, nil)
}

// Validate is engine.Engine.Validate run in the module.
func (h *Host) Validate(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.Call(ctx, "validate", resource, nil)
}

// Call is engine.Engine.Call run in the module: the resource goes after
// the request's envelope and a NUL byte, so the module parses it on its
// own, exactly as the engine's typed methods do, and the response is read
// back by engine.ParseResponse.
func (h *Host) Call(ctx context.Context, op string, resource []byte, recipient *engine.AccessContext) (*engine.Result, error) {
	var context []byte
	if recipient != nil {
		context = recipient.MarshalContext()
	}
	head := make([]byte, 0, len(context)+32)
	head = append(head, `{"op":`...)
	head = jsonx.AppendString(head, op)
	if context != nil {
		head = append(head, `,"context":`...)
		head = append(head, context...)
	}
	head = append(head, "}\x00"...)
	return engine.ParseResponse(h.doParts(ctx, head, resource))
}
