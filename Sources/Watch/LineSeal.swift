import CCrypto
import CallQAModel
import Foundation

/// Seals the call-record lines `callqa watch` keeps in the database while their calls may
/// still change (`watch_lines`): they are the PBX's own text, caller numbers included, so
/// they are never stored in clear. AES-256-GCM (libcrypto) with a key derived from the
/// database's caller-hashing key (`callqa.key` beside it, or `CALLQA_HASH_KEY`), which
/// stays outside the database: a copy of the file alone reveals no number, as with the
/// keyed hashes. Each line has its own random 96-bit nonce; the tag authenticates it.
struct LineSeal: Sendable {
    private let key: [UInt8]

    init(callerKey: [UInt8]) {
        var h = SHA256()
        h.update("callqa watch_lines v1\u{0}")
        h.update(callerKey)
        key = h.finalize()
    }

    enum Failure: Error, CustomStringConvertible {
        case crypto(String)
        var description: String {
            switch self { case let .crypto(what): "cannot seal or open a kept record line (\(what)): was the key file (callqa.key) replaced?" }
        }
    }

    /// nonce (12) ‖ ciphertext ‖ tag (16).
    func seal(_ plain: [UInt8]) throws(Failure) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var rng = SystemRandomNumberGenerator()
        for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255, using: &rng) }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .crypto("no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plain.count + 16)
        var len: Int32 = 0, total = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nil) == 1,
              EVP_EncryptInit_ex(ctx, nil, nil, key, nonce) == 1 else { throw .crypto("init") }
        if !plain.isEmpty {
            guard EVP_EncryptUpdate(ctx, &out, &len, plain, Int32(plain.count)) == 1 else { throw .crypto("encrypt") }
            total = Int(len)
        }
        let finished = out.withUnsafeMutableBufferPointer { p in EVP_EncryptFinal_ex(ctx, p.baseAddress! + total, &len) }
        guard finished == 1 else { throw .crypto("final") }
        total += Int(len)
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw .crypto("tag") }
        return nonce + out[0..<total] + tag
    }

    func open(_ sealed: [UInt8]) throws(Failure) -> [UInt8] {
        guard sealed.count >= 28 else { throw .crypto("too short") }
        let nonce = Array(sealed[0..<12]), body = Array(sealed[12..<(sealed.count - 16)])
        var tag = Array(sealed[(sealed.count - 16)...])
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .crypto("no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: body.count + 16)
        var len: Int32 = 0, total = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nil) == 1,
              EVP_DecryptInit_ex(ctx, nil, nil, key, nonce) == 1 else { throw .crypto("init") }
        if !body.isEmpty {
            guard EVP_DecryptUpdate(ctx, &out, &len, body, Int32(body.count)) == 1 else { throw .crypto("decrypt") }
            total = Int(len)
        }
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1 else { throw .crypto("tag") }
        let finished = out.withUnsafeMutableBufferPointer { p in EVP_DecryptFinal_ex(ctx, p.baseAddress! + total, &len) }
        guard finished == 1 else { throw .crypto("authentication") }
        total += Int(len)
        return Array(out[0..<total])
    }
}
