package password

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"unicode/utf8"

	"skygrid"

	"golang.org/x/crypto/bcrypt"
)

// MinRunes is the shortest password, in characters.
const MinRunes = 8

// cost is bcrypt's work factor.
const cost = 11

// Hash hashes a password with bcrypt (cost 11). EINVALID when it has
// fewer than 8 characters or more than skygrid.LimitPassword.Max bytes.
func Hash(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinRunes {
		return "", skygrid.Errorf(skygrid.EINVALID, "a password needs at least %d characters", MinRunes)
	}
	if len(pw) > skygrid.LimitPassword.Max {
		return "", skygrid.Errorf(skygrid.EINVALID, "a password is at most %d bytes", skygrid.LimitPassword.Max)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(h), err
}

// Verify reports whether pw is the password of hash. An empty hash (no
// such user) is compared against a hash of a random secret, so the answer
// takes as long as for a real user and is false: timing does not tell
// whether a name exists.
func Verify(hash, pw string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is the bcrypt hash Verify compares against for no user.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(NewSecret()), cost)
	if err != nil {
		panic(err)
	}
	return h
})

// NewSecret returns a random URL-safe secret (sessions, tokens, CSRF).
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how sessions and tokens are stored: SHA-256, hex.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
