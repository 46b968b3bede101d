//! Per-message flows (placeholder).
