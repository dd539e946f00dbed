-- Trusted devices (member-decryption.md 1.2): the keys a device keeps on the server once its user
-- trusts it, and whether the device is still active (a removed device is kept, inactive, as the
-- reference keeps it: a later login from it is still a known device).
--   encrypted_user_key     the user key encapsulated to the device's public key ("4.<rsa>")
--   encrypted_public_key   the device's public key wrapped by the user key ("2.iv|ct|mac")
--   encrypted_private_key  the device's private key wrapped by the device key, which never
--                          leaves the device ("2.iv|ct|mac")
-- A device is trusted when all three are set; untrusting or removing it clears them.
ALTER TABLE devices ADD COLUMN encrypted_user_key TEXT;
ALTER TABLE devices ADD COLUMN encrypted_public_key TEXT;
ALTER TABLE devices ADD COLUMN encrypted_private_key TEXT;
ALTER TABLE devices ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
