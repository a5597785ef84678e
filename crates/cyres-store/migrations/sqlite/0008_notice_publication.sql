-- Art. 14(8) notices to users, published: who subscribes to a product's security notices
-- (an e-mail address, or a webhook with its signing secret), the per-product public feed
-- token, the published notices themselves (append-only: a correction is a new version), and
-- their delivery outbox towards each subscriber. Same conventions as 0001.

CREATE TABLE notice_subscriber (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    secret TEXT,
    label TEXT NOT NULL,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE INDEX notice_subscriber_product ON notice_subscriber(product_id, active);
CREATE UNIQUE INDEX notice_subscriber_once ON notice_subscriber(product_id, channel, address) WHERE active = 1;

CREATE TABLE notice_feed (
    product_id BIGINT PRIMARY KEY REFERENCES product(id),
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    slug TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE published_notice (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisation(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    case_id BIGINT NOT NULL REFERENCES report_case(id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    correction TEXT,
    notice TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (case_id, version)
);
CREATE INDEX published_notice_product ON published_notice(product_id, id);

CREATE TABLE notice_delivery (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL,
    notice_id BIGINT NOT NULL REFERENCES published_notice(id),
    subscriber_id BIGINT NOT NULL REFERENCES notice_subscriber(id),
    channel TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    state TEXT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (notice_id, subscriber_id)
);
CREATE INDEX notice_delivery_due ON notice_delivery(state, next_attempt_at);
