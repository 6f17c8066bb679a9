#include "unix_grpc_client.hpp"

#include "hookctl/http2_frame_reader.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/runtime_paths.hpp"

namespace ccmeter {

namespace {

constexpr char k_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr uint8_t k_frame_data = 0x0;
constexpr uint8_t k_frame_headers = 0x1;
constexpr uint8_t k_frame_settings = 0x4;
constexpr uint8_t k_frame_window_update = 0x8;
constexpr uint8_t k_flag_end_stream = 0x1;
constexpr uint8_t k_flag_end_headers = 0x4;
constexpr uint32_t k_stream = 1;
constexpr uint32_t k_max_window = 0x7fffffff;
// A stream's flow-control window: what the server may send ahead of what we consumed.
constexpr uint32_t k_stream_window = 1 << 20;

void put_u32(std::string& out, uint32_t value) {
    out.push_back(static_cast<char>(value >> 24));
    out.push_back(static_cast<char>(value >> 16));
    out.push_back(static_cast<char>(value >> 8));
    out.push_back(static_cast<char>(value));
}

// HPACK integer with an N-bit prefix (RFC 7541 5.1); `first` holds the pattern bits.
void put_hpack_integer(std::string& out, uint8_t first, int prefix_bits, size_t value) {
    const size_t limit = (size_t{1} << prefix_bits) - 1;
    if (value < limit) {
        out.push_back(static_cast<char>(first | value));
        return;
    }
    out.push_back(static_cast<char>(first | limit));
    value -= limit;
    while (value >= 128) {
        out.push_back(static_cast<char>((value % 128) | 128));
        value /= 128;
    }
    out.push_back(static_cast<char>(value));
}

void put_hpack_string(std::string& out, std::string_view text) {
    put_hpack_integer(out, 0x00, 7, text.size());  // no Huffman coding
    out.append(text);
}

// "Literal header field without indexing" with a name from the static table.
void put_header_indexed_name(std::string& out, size_t name_index, std::string_view value) {
    put_hpack_integer(out, 0x00, 4, name_index);
    put_hpack_string(out, value);
}

void put_header_new_name(std::string& out, std::string_view name, std::string_view value) {
    out.push_back(0x00);
    put_hpack_string(out, name);
    put_hpack_string(out, value);
}

// `window`: the stream and connection windows we grant. A unary call grants the largest (its
// reply never stalls); a stream grants k_stream_window and more as it consumes, so that the
// server sends no faster than we write out.
std::string request_bytes(std::string_view method, std::string_view message, uint32_t window) {
    std::string out(k_preface, sizeof k_preface - 1);
    // SETTINGS: no push (0x2 = 0), the stream window (0x4).
    std::string settings;
    settings.append("\x00\x02", 2);
    put_u32(settings, 0);
    settings.append("\x00\x04", 2);
    put_u32(settings, window);
    put_http2_frame(out, k_frame_settings, 0, 0, settings);
    std::string increment;
    put_u32(increment, window - 65535);
    put_http2_frame(out, k_frame_window_update, 0, 0, increment);

    std::string headers;
    headers.push_back(static_cast<char>(0x83));                // :method: POST
    headers.push_back(static_cast<char>(0x86));                // :scheme: http
    put_header_indexed_name(headers, 4, method);               // :path
    put_header_indexed_name(headers, 1, "localhost");          // :authority
    put_header_indexed_name(headers, 31, "application/grpc");  // content-type
    put_header_new_name(headers, "te", "trailers");
    put_http2_frame(out, k_frame_headers, k_flag_end_headers, k_stream, headers);

    std::string body;
    body.push_back('\0');  // not compressed
    put_u32(body, static_cast<uint32_t>(message.size()));
    body.append(message);
    put_http2_frame(out, k_frame_data, k_flag_end_stream, k_stream, body);
    return out;
}

int remaining_ms(UnixGrpcClient::Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - UnixGrpcClient::Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

class Socket {
  public:
    explicit Socket(int fd) : m_fd(fd) {}
    ~Socket() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return m_fd; }

  private:
    int m_fd;
};

bool write_all(int fd, std::string_view bytes, UnixGrpcClient::Clock::time_point deadline) {
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd waiting{fd, POLLOUT, 0};
            if (::poll(&waiting, 1, remaining_ms(deadline)) <= 0)
                return false;
            continue;
        }
        return false;
    }
    return true;
}

}  // namespace

UnixGrpcClient::UnixGrpcClient(std::filesystem::path socket) : m_socket(std::move(socket)) {}

Result<std::string> UnixGrpcClient::call(std::string_view method, std::string_view request,
                                         Clock::time_point deadline) {
    std::string reply;
    int messages = 0;
    CCMETER_TRY(exchange(method, request, deadline, std::chrono::milliseconds(0),
                         [&](std::string_view message) -> Result<void> {
                             if (++messages == 1)
                                 reply.assign(message);
                             return {};
                         }));
    if (messages != 1)
        return Error{messages == 0 ? "ccmeterd answered with an error"
                                   : "ccmeterd sent more than one answer"};
    return Result<std::string>(boost::system::in_place_value, std::move(reply));
}

Result<void> UnixGrpcClient::stream(
    std::string_view method, std::string_view request, std::chrono::milliseconds idle_timeout,
    const std::function<Result<void>(std::string_view message)>& on_message) {
    return exchange(method, request, Clock::now() + idle_timeout, idle_timeout, on_message);
}

Result<void> UnixGrpcClient::exchange(
    std::string_view method, std::string_view request, Clock::time_point deadline,
    std::chrono::milliseconds idle_timeout,
    const std::function<Result<void>(std::string_view message)>& on_message) {
    const bool streaming = idle_timeout.count() > 0;
    m_unreachable = false;
    if (!is_private_socket(m_socket)) {
        m_unreachable = true;
        return Error{"no private daemon socket at " + m_socket.string()};
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = m_socket.string();
    if (path.size() >= sizeof(address.sun_path))
        return Error{"socket path too long: " + path};
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    Socket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (socket.fd() < 0)
        return Error{std::string("socket: ") + std::strerror(errno)};
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS && errno != EAGAIN) {
        m_unreachable = errno == ECONNREFUSED || errno == ENOENT;
        return Error{"cannot connect to " + path + ": " + std::strerror(errno)};
    }
    if (!write_all(socket.fd(),
                   request_bytes(method, request, streaming ? k_stream_window : k_max_window),
                   deadline))
        return Error{"cannot send the request to ccmeterd"};

    Http2FrameReader reader(on_message);
    uint64_t consumed = 0;  // DATA bytes taken since the last WINDOW_UPDATE (streams)
    char buffer[16384];
    for (;;) {
        pollfd waiting{socket.fd(), POLLIN, 0};
        const int ready = ::poll(&waiting, 1, remaining_ms(deadline));
        if (ready == 0)
            return Error{streaming ? "ccmeterd sent nothing for " +
                                         std::to_string(idle_timeout.count() / 1000) + " s"
                                   : "ccmeterd did not answer in time"};
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return Error{std::string("poll: ") + std::strerror(errno)};
        }
        const ssize_t got = ::recv(socket.fd(), buffer, sizeof buffer, 0);
        if (got == 0)
            return Error{"ccmeterd closed the connection"};
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return Error{std::string("recv: ") + std::strerror(errno)};
        }
        if (streaming)
            deadline = Clock::now() + idle_timeout;
        CCMETER_TRY_ASSIGN(const bool ended,
                           reader.feed(std::string_view(buffer, static_cast<size_t>(got))));
        if (ended)
            return {};
        if (const std::string acks = reader.take_output(); !acks.empty())
            write_all(socket.fd(), acks, deadline);
        // What we took, the server may send again (streams; a unary call's window is endless).
        consumed += reader.take_consumed();
        if (streaming && consumed >= k_stream_window / 4) {
            std::string update;
            std::string increment;
            put_u32(increment, static_cast<uint32_t>(consumed));
            put_http2_frame(update, k_frame_window_update, 0, 0, increment);
            put_http2_frame(update, k_frame_window_update, 0, k_stream, increment);
            if (!write_all(socket.fd(), update, deadline))
                return Error{"cannot talk to ccmeterd"};
            consumed = 0;
        }
    }
}

}  // namespace ccmeter
