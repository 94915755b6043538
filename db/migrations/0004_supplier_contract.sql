-- A supplier's contract: its reference (diarienummer or contract number) and when it ends;
-- one per organisation of kind supplier, checked in C.

CREATE TABLE supplier_contract (
    organisation_id INTEGER NOT NULL UNIQUE REFERENCES organisation (id),
    contract_reference TEXT NOT NULL,
    contract_end TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
