package host

import (
	"context"

	"github.com/seclabel/seclabel/engine"
)

var _ engine.Backend = (*Host)(nil)

// Label is engine.Engine.Label run in the module.
func (h *Host) Label(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.typed(ctx, "label", resource, nil)
}

// Redact is engine.Engine.Redact run in the module.
func (h *Host) Redact(ctx context.Context, resource []byte, access engine.AccessContext) (*engine.Result, error) {
	return h.typed(ctx, "redact", resource, access.MarshalContext())
}

// HWM is engine.Engine.HWM run in the module.
func (h *Host) HWM(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.typed(ctx, "hwm", resource, nil)
}

// Marks is engine.Engine.Marks run in the module.
func (h *Host) Marks(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.typed(ctx, "marks", resource, nil)
}

// Validate is engine.Engine.Validate run in the module.
func (h *Host) Validate(ctx context.Context, resource []byte) (*engine.Result, error) {
	return h.typed(ctx, "validate", resource, nil)
}

// typed sends the resource after the envelope and a NUL byte, so the module
// parses it on its own, exactly as the engine's typed methods do.
func (h *Host) typed(ctx context.Context, op string, resource, context []byte) (*engine.Result, error) {
	req := make([]byte, 0, len(resource)+len(context)+32)
	req = append(req, `{"op":"`+op+`"`...)
	if context != nil {
		req = append(req, `,"context":`...)
		req = append(req, context...)
	}
	req = append(req, "}\x00"...)
	req = append(req, resource...)
	return engine.ParseResponse(h.Do(ctx, req))
}
