// Package logging builds the zap logger every process uses and adapts it for the Temporal SDK.
package logging

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a JSON logger at level ("debug", "info", "warn", "error").
func New(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("LOG_LEVEL=%q: %v", level, err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.EncoderConfig.TimeKey = "ts"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.Sampling = nil
	return cfg.Build()
}

// Temporal adapts a zap logger to the Temporal SDK's key-value logger interface.
type Temporal struct{ L *zap.Logger }

func (t Temporal) fields(kv []interface{}) []zap.Field {
	fs := make([]zap.Field, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, zap.Any(fmt.Sprint(kv[i]), kv[i+1]))
	}
	return fs
}

// Debug logs at debug level.
func (t Temporal) Debug(msg string, kv ...interface{}) { t.L.Debug(msg, t.fields(kv)...) }

// Info logs at info level.
func (t Temporal) Info(msg string, kv ...interface{}) { t.L.Info(msg, t.fields(kv)...) }

// Warn logs at warn level.
func (t Temporal) Warn(msg string, kv ...interface{}) { t.L.Warn(msg, t.fields(kv)...) }

// Error logs at error level.
func (t Temporal) Error(msg string, kv ...interface{}) { t.L.Error(msg, t.fields(kv)...) }
