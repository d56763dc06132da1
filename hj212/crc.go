package hj212

// CRC is the checksum of appendix A of HJ 212-2017 over a data segment:
// register 0xFFFF; for each byte crc = (crc >> 8) ^ b, then 8 shifts right,
// XORing 0xA001 when the bit shifted out is 1.
func CRC(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range data {
		crc = (crc >> 8) ^ uint16(b)
		crc = shift8(crc)
	}
	return crc
}

// ModbusCRC is the Modbus CRC-16 (the byte XORed into the register's low
// byte, no shift of the high byte first), which some devices send in place
// of the appendix A checksum. It is written as the register's 4 hex digits.
func ModbusCRC(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range data {
		crc ^= uint16(b)
		crc = shift8(crc)
	}
	return crc
}

func shift8(crc uint16) uint16 {
	for range 8 {
		out := crc & 1
		crc >>= 1
		if out == 1 {
			crc ^= 0xA001
		}
	}
	return crc
}
