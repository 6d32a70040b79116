package models

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// WithLateWindow is a copy of the model with another sessions.late_window,
// and the hash that goes with it (the bench measures what the window costs).
func (m *Model) WithLateWindow(d time.Duration) *Model {
	c := *m
	c.Sessions.LateWindow = d
	sum := sha256.Sum256([]byte(c.Canonical()))
	c.Hash = hex.EncodeToString(sum[:])
	return &c
}
