#pragma once
// Declares the Boost.JSON conversions (tag_invoke) of one message type. The
// definitions live in libproto's sources, generated from a member list, so that
// reading validates every field and names it in the error.

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#define PTYCTL_PROTO_JSON(T)                                               \
  T tag_invoke(boost::json::value_to_tag<T>, const boost::json::value& v); \
  void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const T& x)
