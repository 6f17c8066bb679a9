#include "hookctl/http2_frame_reader.hpp"

#include <utility>

namespace ccmeter {

namespace {

constexpr uint8_t k_frame_data = 0x0;
constexpr uint8_t k_frame_headers = 0x1;
constexpr uint8_t k_frame_rst_stream = 0x3;
constexpr uint8_t k_frame_settings = 0x4;
constexpr uint8_t k_frame_ping = 0x6;
constexpr uint8_t k_frame_goaway = 0x7;
constexpr uint8_t k_frame_continuation = 0x9;
constexpr uint8_t k_flag_end_stream = 0x1;
constexpr uint8_t k_flag_ack = 0x1;
constexpr uint8_t k_flag_end_headers = 0x4;
constexpr uint8_t k_flag_padded = 0x8;
constexpr uint8_t k_flag_priority = 0x20;
constexpr uint32_t k_stream = 1;
constexpr size_t k_frame_header_size = 9;

uint32_t read_u32(const unsigned char* bytes) {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
           uint32_t{bytes[3]};
}

// A gRPC status code as the core's error kind (codes of grpc/status.h).
ErrorKind kind_of_grpc_status(std::string_view code) {
    if (code == "3")
        return ErrorKind::invalid_argument;
    if (code == "5")
        return ErrorKind::not_found;
    if (code == "14")
        return ErrorKind::unavailable;
    return ErrorKind::internal;
}

}  // namespace

void put_http2_frame(std::string& out, uint8_t type, uint8_t flags, uint32_t stream,
                     std::string_view payload) {
    const uint32_t length = static_cast<uint32_t>(payload.size());
    out.push_back(static_cast<char>(length >> 16));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length));
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(flags));
    out.push_back(static_cast<char>(stream >> 24));
    out.push_back(static_cast<char>(stream >> 16));
    out.push_back(static_cast<char>(stream >> 8));
    out.push_back(static_cast<char>(stream));
    out.append(payload);
}

Http2FrameReader::Http2FrameReader(MessageSink on_message) : m_on_message(std::move(on_message)) {}

std::string Http2FrameReader::take_output() {
    return std::exchange(m_output, std::string());
}

uint64_t Http2FrameReader::take_consumed() {
    return std::exchange(m_consumed, 0);
}

Result<bool> Http2FrameReader::feed(std::string_view bytes) {
    m_input.append(bytes);
    size_t parsed = 0;
    Result<bool> ended = false;
    while (m_input.size() - parsed >= k_frame_header_size) {
        const auto* header = reinterpret_cast<const unsigned char*>(m_input.data() + parsed);
        const size_t length = (size_t{header[0]} << 16) | (size_t{header[1]} << 8) | header[2];
        if (m_input.size() - parsed < k_frame_header_size + length)
            break;
        const std::string_view payload(m_input.data() + parsed + k_frame_header_size, length);
        parsed += k_frame_header_size + length;
        ended = frame(header[3], header[4], read_u32(header + 5) & 0x7fffffff, payload);
        if (!ended || *ended)
            break;
    }
    m_input.erase(0, parsed);
    return ended;
}

Result<bool> Http2FrameReader::frame(uint8_t type, uint8_t flags, uint32_t stream,
                                     std::string_view payload) {
    if (type == k_frame_settings && !(flags & k_flag_ack)) {
        put_http2_frame(m_output, k_frame_settings, k_flag_ack, 0, {});
        return false;
    }
    if (type == k_frame_ping && !(flags & k_flag_ack)) {
        put_http2_frame(m_output, k_frame_ping, k_flag_ack, 0, payload);
        return false;
    }
    if (type == k_frame_goaway)
        return Error{"ccmeterd closed the connection"};
    if (stream != k_stream)
        return false;
    if (type == k_frame_rst_stream)
        return Error{"ccmeterd reset the call"};
    if (type == k_frame_data || type == k_frame_headers) {
        if (type == k_frame_data)
            m_consumed += payload.size();  // flow control counts the padding too
        if (flags & k_flag_padded) {
            if (payload.empty())
                return Error{"bad frame from ccmeterd"};
            const size_t pad = static_cast<unsigned char>(payload[0]);
            if (pad + 1 > payload.size())
                return Error{"bad frame from ccmeterd"};
            payload = payload.substr(1, payload.size() - 1 - pad);
        }
        if (type == k_frame_data) {
            m_body.append(payload);
            CCMETER_TRY(take_messages());
        } else {
            if ((flags & k_flag_priority) && payload.size() >= 5)
                payload.remove_prefix(5);
            m_header_block.assign(payload);
            m_headers_end_stream = flags & k_flag_end_stream;
        }
    } else if (type == k_frame_continuation) {
        m_header_block.append(payload);
    } else {
        return false;
    }
    // A complete header block (the reply's headers, or its trailers): decode it, so that the
    // connection's HPACK table stays in step, and keep the gRPC status.
    if ((type == k_frame_headers || type == k_frame_continuation) && (flags & k_flag_end_headers)) {
        CCMETER_TRY(
            m_headers.decode(m_header_block, [&](std::string_view name, std::string_view value) {
                if (name == "grpc-status")
                    m_grpc_status.assign(value);
                else if (name == "grpc-message")
                    m_grpc_message = percent_decode(value);
            }));
        m_header_block.clear();
        if (m_headers_end_stream)
            flags |= k_flag_end_stream;
    }
    if (!(flags & k_flag_end_stream) || !m_header_block.empty())
        return false;
    if (!m_grpc_status.empty() && m_grpc_status != "0")
        return Error{m_grpc_message.empty() ? "ccmeterd answered with gRPC status " + m_grpc_status
                                            : m_grpc_message,
                     kind_of_grpc_status(m_grpc_status)};
    if (m_body.size() != m_body_at)
        return Error{"ccmeterd sent a truncated answer"};
    return true;
}

Result<void> Http2FrameReader::take_messages() {
    while (m_body.size() - m_body_at >= 5) {
        if (m_body[m_body_at] != '\0')
            return Error{"ccmeterd sent a compressed message"};
        const uint32_t length =
            read_u32(reinterpret_cast<const unsigned char*>(m_body.data() + m_body_at + 1));
        if (m_body.size() - m_body_at - 5 < length)
            break;
        CCMETER_TRY(m_on_message(std::string_view(m_body).substr(m_body_at + 5, length)));
        m_body_at += 5 + size_t{length};
    }
    if (m_body_at > 0 && m_body_at * 2 >= m_body.size()) {
        m_body.erase(0, m_body_at);
        m_body_at = 0;
    }
    return {};
}

}  // namespace ccmeter
