// Package password is what skygrid stores of a secret: bcrypt hashes of
// users' passwords (Hash, Verify) and SHA-256 hashes of the random secrets
// that sessions and API tokens are (NewSecret, HashSecret). It knows no
// HTTP and no SQL: the API, the CLI (`skygrid user`, `skygrid token`,
// `skygrid demo`) and the load scripts share it.
package password
