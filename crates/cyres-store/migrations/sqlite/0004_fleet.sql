-- Devices running the manufacturer's products, as their update agents report them, for fleet
-- exposure (how many devices still run a version affected by an open finding).

CREATE TABLE device (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    device_id TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES product(id),
    hardware TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    installed_version TEXT,
    opt_out_security BIGINT NOT NULL,
    state TEXT,
    last_seen BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, device_id)
);
CREATE INDEX device_product_version ON device(product_id, installed_version);
