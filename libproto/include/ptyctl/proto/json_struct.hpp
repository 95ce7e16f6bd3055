#pragma once
// The project's JSON mapper: reads and writes structs from their Boost.Describe
// member lists, so every field is checked the same way and errors name the
// field by its JSON path ("snapshot.modes.autoWrap must be a boolean"). Every
// JSON type of the project goes through it: declare the conversions with
// PTYCTL_PROTO_JSON (json_conv.hpp) beside the struct, and define them in one
// source with BOOST_DESCRIBE_STRUCT and PTYCTL_PROTO_JSON_DEFINE. A member
// left out of the description is a compile error (its count is checked
// against Boost.PFR's).
//
// Rules: a missing non-optional field is an error; an optional field that is
// missing or null is empty, and an empty one is left out when writing; fields
// the struct does not name are ignored (forward compatibility); a member whose
// type says kInlineJson has its fields written beside the others. After reading,
// `check(const T&)` is called when one is declared for T (found by ADL).

#include <ptyctl/proto/errors.hpp>

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/tuple_size.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ptyctl::proto::detail {

namespace json = boost::json;

[[noreturn]] inline void invalid(std::string_view path, std::string_view what) {
  throw ProtocolError(code::kInvalidPayload, std::string(path) + " " + std::string(what));
}

inline std::string join_path(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  std::string out(parent);
  out += '.';
  out += name;
  return out;
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept Described = boost::describe::has_describe_members<T>::value;

inline void read_value(const json::value& v, std::string_view path, std::string& out) {
  if (!v.is_string()) invalid(path, "must be a string");
  out = std::string(v.get_string());
}

inline void read_value(const json::value& v, std::string_view path, bool& out) {
  if (!v.is_bool()) invalid(path, "must be a boolean");
  out = v.get_bool();
}

template <std::integral I>
requires(!std::same_as<I, bool>) void read_value(const json::value& v, std::string_view path,
                                                 I& out) {
  using Lim = std::numeric_limits<I>;
  if (v.is_int64()) {
    const std::int64_t x = v.get_int64();
    if constexpr (std::is_unsigned_v<I>) {
      if (x < 0 || static_cast<std::uint64_t>(x) > Lim::max()) invalid(path, "is out of range");
    } else {
      if (x < static_cast<std::int64_t>(Lim::min()) || x > static_cast<std::int64_t>(Lim::max()))
        invalid(path, "is out of range");
    }
    out = static_cast<I>(x);
  } else if (v.is_uint64()) {
    const std::uint64_t x = v.get_uint64();
    if (x > static_cast<std::uint64_t>(Lim::max())) invalid(path, "is out of range");
    out = static_cast<I>(x);
  } else if (v.is_double()) {
    // JavaScript peers may send 80.0; accept a double that is a whole number.
    const double d = v.get_double();
    if (!std::isfinite(d) || std::trunc(d) != d) invalid(path, "must be an integer");
    if (d < static_cast<double>(Lim::min()) || d >= std::ldexp(1.0, Lim::digits))
      invalid(path, "is out of range");
    out = static_cast<I>(d);
  } else {
    invalid(path, "must be an integer");
  }
}

inline void read_value(const json::value& v, std::string_view path, json::value& out) {
  (void)path;
  out = v;
}

inline void read_value(const json::value& v, std::string_view path,
                       std::map<std::string, std::string>& out) {
  if (!v.is_object()) invalid(path, "must be an object of strings");
  out.clear();
  for (const auto& kv : v.get_object()) {
    std::string s;
    read_value(kv.value(), join_path(path, kv.key()), s);
    out.emplace(std::string(kv.key()), std::move(s));
  }
}

// Checks by field name, the same wherever a message has such a field (a
// field that names a session, a window size, a signal).
void check_named_field(std::string_view name, std::string_view path, const std::string& value);
void check_named_field(std::string_view name, std::string_view path, int value);
void check_named_field(std::string_view name, std::string_view path,
                       const std::map<std::string, std::string>& value);
void check_named_field(std::string_view name, std::string_view path,
                       const std::vector<std::string>& value);
template <class T>
void check_named_field(std::string_view, std::string_view, const T&) {}

template <class T>
void read_value(const json::value& v, std::string_view path, std::vector<T>& out);

template <Described T>
void read_value(const json::value& v, std::string_view path, T& out);

template <class T>
void read_value(const json::value& v, std::string_view path, std::vector<T>& out) {
  if (!v.is_array()) invalid(path, "must be an array");
  out.clear();
  const auto& arr = v.get_array();
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    T item{};
    read_value(arr[i], std::string(path) + "[" + std::to_string(i) + "]", item);
    out.push_back(std::move(item));
  }
}

// A struct whose fields are written beside its owner's, not in an object of
// their own (SessionSpec in the handover's SessionState).
template <class T>
concept Inlined = Described<T> && requires {
  requires T::kInlineJson;
};

template <Described T>
void read_fields(const json::object& obj, std::string_view path, T& out) {
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [&](auto member) {
        auto& field = out.*member.pointer;
        using M = std::remove_cvref_t<decltype(field)>;
        const std::string field_path = join_path(path, member.name);
        const json::value* found = obj.if_contains(member.name);
        if constexpr (Inlined<M>) {
          read_fields(obj, path, field);
        } else if constexpr (is_optional<M>::value) {
          if (!found || found->is_null()) {
            field.reset();
          } else {
            typename M::value_type x{};
            read_value(*found, field_path, x);
            check_named_field(member.name, field_path, x);
            field = std::move(x);
          }
        } else {
          if (!found) invalid(field_path, "is required");
          read_value(*found, field_path, field);
          check_named_field(member.name, field_path, field);
        }
      });
}

template <Described T>
void read_value(const json::value& v, std::string_view path, T& out) {
  static const json::object kEmpty;
  const json::object* obj = &kEmpty;
  if (v.is_object()) {
    obj = &v.get_object();
  } else if (!v.is_null() || !path.empty()) {
    // Only a whole payload may be absent (listSessions is sent without one).
    invalid(path.empty() ? "payload" : path, "must be an object");
  }
  read_fields(*obj, path, out);
  if constexpr (requires { check(out); }) check(out);
}

// Every member of T is in its description: one added to the struct and not to
// BOOST_DESCRIBE_STRUCT would silently never be read or written.
template <Described T>
constexpr void check_described_completely() {
  constexpr std::size_t described = boost::mp11::mp_size<
      boost::describe::describe_members<T, boost::describe::mod_public>>::value;
  static_assert(described == boost::pfr::tuple_size_v<T>,
                "a member of this struct is missing from its BOOST_DESCRIBE_STRUCT list");
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [](auto member) {
        using M = std::remove_cvref_t<decltype(std::declval<T&>().*member.pointer)>;
        if constexpr (Inlined<M>) check_described_completely<M>();
      });
}

template <Described T>
T read_struct(const json::value& v) {
  check_described_completely<T>();
  T out{};
  read_value(v, "", out);
  return out;
}

template <Described T>
void write_fields(json::object& obj, const T& x) {
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [&](auto member) {
        const auto& field = x.*member.pointer;
        using M = std::remove_cvref_t<decltype(field)>;
        if constexpr (Inlined<M>) {
          write_fields(obj, field);
        } else if constexpr (is_optional<M>::value) {
          if (field) obj[member.name] = json::value_from(*field);
        } else {
          obj[member.name] = json::value_from(field);
        }
      });
}

template <Described T>
void write_struct(json::value& jv, const T& x) {
  check_described_completely<T>();
  json::object& obj = jv.emplace_object();
  write_fields(obj, x);
  // A type may adjust its object after the generic pass (e.g. write null).
  if constexpr (requires { finish_json(obj, x); }) finish_json(obj, x);
}

// Copies each member of `from` into the member of `to` of the same name that
// holds the same type or its optional; an inline member's fields count as
// `from`'s own. One description's fields carried into another's: a field
// added to both is carried without a line more.
template <Described To, Described From>
void copy_same_named(To& to, const From& from) {
  boost::mp11::mp_for_each<boost::describe::describe_members<From, boost::describe::mod_public>>(
      [&](auto source) {
        const auto& value = from.*source.pointer;
        using S = std::remove_cvref_t<decltype(value)>;
        if constexpr (Inlined<S>) {
          copy_same_named(to, value);
        } else {
          boost::mp11::mp_for_each<
              boost::describe::describe_members<To, boost::describe::mod_public>>([&](auto target) {
            auto& field = to.*target.pointer;
            using T = std::remove_cvref_t<decltype(field)>;
            if constexpr (std::is_same_v<T, S> || std::is_same_v<T, std::optional<S>>) {
              if (std::string_view(source.name) == target.name) field = value;
            }
          });
        }
      });
}

}  // namespace ptyctl::proto::detail

// Defines the two tag_invoke overloads declared by PTYCTL_PROTO_JSON(T).
#define PTYCTL_PROTO_JSON_DEFINE(T)                                                 \
  T tag_invoke(boost::json::value_to_tag<T>, const boost::json::value& v) {         \
    return ::ptyctl::proto::detail::read_struct<T>(v);                              \
  }                                                                                 \
  void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const T& x) { \
    ::ptyctl::proto::detail::write_struct(v, x);                                    \
  }
