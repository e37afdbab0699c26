# CRC-32C (Castagnoli), as Google Secret Manager uses for SecretPayload.dataCrc32c (RFC 3720 appendix B.4:
# reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF). Test-only, standard library only.


def _MakeTable():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_kTable = _MakeTable()


def Crc32c(data, crc=0):
    """Returns the CRC-32C of data; pass a previous result as crc to continue over more data."""
    crc ^= 0xFFFFFFFF
    table = _kTable
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


if __name__ == "__main__":
    import sys
    print(Crc32c(sys.stdin.buffer.read()))
